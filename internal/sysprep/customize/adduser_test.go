package customize

import (
	"strings"
	"testing"
	"time"
)

func pinNow(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	now = func() time.Time { return time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC) } // day 19997
	t.Cleanup(func() { now = time.Now })
}

func TestAddUserDebian(t *testing.T) {
	pinNow(t)
	tr := accountTree()
	tr["etc/login.defs"] = "UID_MIN 1000\nUID_MAX 60000\nPASS_MAX_DAYS 99999\nPASS_MIN_DAYS 0\nPASS_WARN_AGE 7\nHOME_MODE 0750\n"
	tr["etc/skel/.profile"] = "# profile\n"
	tr["etc/skel/.config/app.conf"] = "x"
	tr["etc/sudoers.d/README"] = "readme"
	tr["etc/subuid"] = "alice:100000:65536\n"
	tr["bin/bash"] = "ELF"
	res := mustApply(t, debian12(), tr, Step{"add-user", "deploy:sudo:groups=sudo,wheel:gecos=Deploy Bot,,,"})
	wantDiff(t, res.diff,
		`~ /etc/passwd f 0644 0:0 "`+strings.ReplaceAll(passwdFixture, "\n", `\n`)+`deploy:x:1001:1001:Deploy Bot,,,:/home/deploy:/bin/bash\n"`,
		`~ /etc/shadow f 0644 0:0 "`+strings.ReplaceAll(shadowFixture, "\n", `\n`)+`deploy:!:19997:0:99999:7:::\n"`,
		`~ /etc/group f 0644 0:0 "root:x:0:\nsudo:x:27:deploy\nwheel:x:10:deploy\nalice:x:1000:\ndeploy:x:1001:\n"`,
		`~ /etc/gshadow f 0644 0:0 "root:*::\nsudo:*::deploy\nwheel:*::deploy\nalice:!::\ndeploy:!::\n"`,
		`~ /etc/subuid f 0644 0:0 "alice:100000:65536\ndeploy:165536:65536\n"`,
		`+ /home/deploy d 0750 1001:1001`,
		`+ /home/deploy/.config d 0755 1001:1001`,
		`+ /home/deploy/.config/app.conf f 0644 1001:1001 "x"`,
		`+ /home/deploy/.profile f 0644 1001:1001 "# profile\n"`,
		`+ /etc/sudoers.d/deploy f 0440 0:0 "deploy ALL=(ALL) NOPASSWD:ALL\n"`)
}

func TestAddUserRHELWithPassword(t *testing.T) {
	pinNow(t)
	tr := accountTree()
	delete(tr, "etc/gshadow")
	res := mustApply(t, rocky9(), tr,
		Step{"add-user", "ci:uid=1500:shell=/bin/sh:home=/srv/ci:password:pa:ss"},
		Step{"password-crypto", "sha256"})
	var shadowLine string
	for _, l := range strings.Split(read(t, res.root, "/etc/shadow"), "\n") {
		if strings.HasPrefix(l, "ci:") {
			shadowLine = l
		}
	}
	f := strings.Split(shadowLine, ":")
	if len(f) != 9 || !strings.HasPrefix(f[1], "$5$") || f[2] != "19997" {
		t.Fatalf("shadow line %q", shadowLine)
	}
	libcryptCheck(t, "pa:ss", f[1])
	if got := read(t, res.root, "/etc/passwd"); !strings.HasSuffix(got, "ci:x:1500:1500::/srv/ci:/bin/sh\n") {
		t.Fatalf("passwd:\n%s", got)
	}
	if st, err := res.root.Lstat("/srv/ci"); err != nil || st.Uid != 1500 || permBits(st.Mode) != 0o700 {
		t.Fatalf("home: %+v %v", st, err)
	}
	for _, l := range append(res.logs, res.warns...) {
		if strings.Contains(l, "pa:ss") {
			t.Fatalf("password in log %q", l)
		}
	}
}

func TestAddUserErrors(t *testing.T) {
	_, err := apply(t, debian12(), accountTree(), Step{"add-user", "alice"})
	wantErr(t, err, `customize --add-user "alice"`, "already exists")
	_, err = apply(t, debian12(), accountTree(), Step{"add-user", "bob:groups=docker"})
	wantErr(t, err, `group "docker"`)
	res, err := apply(t, debian12(), accountTree(), Step{"add-user", "bob:sudo"})
	wantErr(t, err, "/etc/sudoers.d does not exist")
	wantDiff(t, res.diff) // checked before any write
	_, err = apply(t, debian12(), accountTree(), Step{"add-user", "bob:password:x"}, Step{"password", "bob:random"})
	wantErr(t, err, `password of "bob" is set twice`)
	if strings.Contains(err.Error(), "password:x") {
		t.Fatalf("password in error %q", err)
	}
}

func TestAddUserGrammar(t *testing.T) {
	for _, c := range []struct {
		arg string
		ok  bool
	}{
		{"deploy", true},
		{"deploy:sudo:groups=adm,wheel", true},
		{"ci:uid=1500:shell=/bin/sh:password:s3:cr3t", true},
		{"alice:random", true},
		{"alice:locked", true},
		{"svc_1-a$", true},
		{"Alice", false},
		{"1abc", false},
		{"a:uid=x", false},
		{"a:uid=1:uid=2", false},
		{"a:groups=", false},
		{"a:groups=a,,b", false},
		{"a:shell=bin/sh", false},
		{"a:home=/", false},
		{"a:sudoo", false},
		{"a:random:sudo", false}, // the selector comes last
		{strings.Repeat("a", 33), false},
	} {
		err := Step{"add-user", c.arg}.Validate()
		if (err == nil) != c.ok {
			t.Errorf("add-user %q: err = %v, want ok=%v", c.arg, err, c.ok)
		}
	}
	if got := (Step{"add-user", "ci:sudo:password:s3:cr3t"}).String(); got != `--add-user "ci:sudo:password:<hidden>"` {
		t.Errorf("String() = %s", got)
	}
}
