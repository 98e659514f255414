package sysprep

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func userAccountTree() testtool.Tree {
	return testtool.Tree{
		"etc/login.defs": "UID_MIN 1000\nUID_MAX 60000\n",
		"etc/passwd": "root:x:0:0:root:/root:/bin/bash\n" +
			"daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n" +
			"alice:x:1000:1000::/home/alice:/bin/bash\n" +
			"bob:x:1001:1001::/home/bob:/bin/bash\n" +
			"nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n",
		"etc/shadow":  "root:*:1::::::\ndaemon:*:1::::::\nalice:!:1::::::\nbob:!:1::::::\nnobody:*:1::::::\n",
		"etc/group":   "root:x:0:\nwheel:x:10:alice,bob\nalice:x:1000:\nbob:x:1001:\n",
		"etc/gshadow": "root:*::\nwheel:*:alice:alice,bob\nalice:!::\nbob:!::\n",
		"etc/subuid":  "alice:100000:65536\nbob:165536:65536\n",
		"etc/subgid":  "alice:100000:65536\nbob:165536:65536\n",

		"home/alice/.profile":          "PATH=$PATH\n",
		"home/bob/.bashrc":             "x",
		"var/spool/mail/alice":         "From a",
		"var/mail/bob":                 "From b",
		"var/spool/cron/alice":         "* * * * * true",
		"var/spool/cron/crontabs/bob":  "* * * * * true",
		"var/spool/cron/crontabs/root": "@reboot true",
	}
}

func TestUserAccount(t *testing.T) {
	runCases(t, "user-account", []opCase{{
		name:  "debian: all login users",
		guest: debianGuest(),
		tree:  userAccountTree(),
		removed: abs("home/alice", "home/alice/.profile", "home/bob", "home/bob/.bashrc",
			"var/spool/mail/alice", "var/mail/bob", "var/spool/cron/alice", "var/spool/cron/crontabs/bob"),
		changed: abs("etc/passwd", "etc/shadow", "etc/group", "etc/gshadow", "etc/subuid", "etc/subgid"),
		files: map[string]string{
			"/etc/passwd": "root:x:0:0:root:/root:/bin/bash\n" +
				"daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n" +
				"nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n",
			"/etc/shadow":                   "root:*:1::::::\ndaemon:*:1::::::\nnobody:*:1::::::\n",
			"/etc/group":                    "root:x:0:\nwheel:x:10:\n",
			"/etc/gshadow":                  "root:*::\nwheel:*::\n",
			"/etc/subuid":                   "",
			"/etc/subgid":                   "",
			"/var/spool/cron/crontabs/root": "@reboot true",
		},
	}, {
		name:    "rocky: keep alice",
		guest:   rockyGuest(),
		tree:    userAccountTree(),
		plan:    &Plan{KeepUserAccounts: []string{"alice"}},
		removed: abs("home/bob", "home/bob/.bashrc", "var/mail/bob", "var/spool/cron/crontabs/bob"),
		changed: abs("etc/passwd", "etc/shadow", "etc/group", "etc/gshadow", "etc/subuid", "etc/subgid"),
		files: map[string]string{
			"/etc/group":   "root:x:0:\nwheel:x:10:alice\nalice:x:1000:\n",
			"/etc/gshadow": "root:*::\nwheel:*:alice:alice\nalice:!::\n",
			"/etc/subuid":  "alice:100000:65536\n",
		},
	}, {
		name:    "remove only bob; root and nobody are never candidates",
		guest:   debianGuest(),
		tree:    userAccountTree(),
		plan:    &Plan{RemoveUserAccounts: []string{"bob", "root", "nobody"}},
		removed: abs("home/bob", "home/bob/.bashrc", "var/mail/bob", "var/spool/cron/crontabs/bob"),
		changed: abs("etc/passwd", "etc/shadow", "etc/group", "etc/gshadow", "etc/subuid", "etc/subgid"),
		notes:   []string{`"root" not removed`, `"nobody" not removed`},
	}})
}

func TestUserAccountDefaultsAndGuards(t *testing.T) {
	tr := userAccountTree()
	delete(tr, "etc/login.defs")
	tr["etc/passwd"] = "root:x:0:0:root:/root:/bin/bash\n" +
		"svc:x:1002:1002::/srv:/bin/sh\n" + // a system directory as home
		"carol:x:1003:1003::/home/shared:/bin/sh\n" +
		"dave:x:70000:70000::/home/shared/dave:/bin/sh\n" // outside 1000-60000: stays, so /home/shared stays
	tr["etc/shadow"] = "root:*:1::::::\nsvc:!:1::::::\ncarol:!:1::::::\ndave:!:1::::::\n"
	tr["etc/group"] = "root:x:0:\n"
	tr["etc/gshadow"] = "root:*::\n"
	tr["srv/www/index.html"] = "keep"
	tr["home/shared/dave/x"] = "keep"
	tr["var/mail/carol"] = "From c"
	runCases(t, "user-account", []opCase{{
		name:     "defaults 1000-60000, system and shared homes kept",
		guest:    rockyGuest(),
		tree:     tr,
		removed:  abs("var/mail/carol"),
		changed:  abs("etc/passwd", "etc/shadow"),
		notes:    []string{"UID_MIN/UID_MAX missing from /etc/login.defs: using 1000-60000"},
		warnings: []string{"home /srv is a system directory", "home /home/shared is shared with dave"},
		files:    map[string]string{"/etc/passwd": "root:x:0:0:root:/root:/bin/bash\ndave:x:70000:70000::/home/shared/dave:/bin/sh\n"},
	}})
}
