package sysprep

import (
	"slices"
	"testing"
)

func TestLogfiles(t *testing.T) {
	runCases(t, "logfiles", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/log/messages":                        "m",
			"var/log/messages-20240101":               "m",
			"var/log/secure":                          "s",
			"var/log/cloud-init.log":                  "c",
			"var/log/cloud-init-output.log":           "c",
			"var/log/dnf.rpm.log":                     "d",
			"var/log/audit/audit.log":                 "a",
			"var/log/journal/0123abcd/system.journal": "j",
			"var/log/anaconda/anaconda.log":           "a",
			"var/log/httpd/access_log":                "h",
			"var/log/tuned/tuned.log":                 "t",
			"var/log/tuned/other":                     "kept",
			"var/log/README":                          "kept",
			"var/log/chrony/":                         "",
			"root/anaconda-ks.cfg":                    "ks",
			"root/original-ks.cfg":                    "ks",
			"var/lib/logrotate.status":                "s",
			"var/cache/man/index.db":                  "i",
			"etc/Pegasus/server.pem":                  "p",
			"etc/Pegasus/cimserver_planned.conf":      "kept",
		},
		removed: abs("var/log/messages", "var/log/messages-20240101", "var/log/secure", "var/log/cloud-init.log",
			"var/log/cloud-init-output.log", "var/log/dnf.rpm.log", "var/log/audit/audit.log",
			"var/log/journal/0123abcd/system.journal", "var/log/journal/0123abcd",
			"var/log/anaconda/anaconda.log", "var/log/httpd/access_log", "var/log/tuned/tuned.log",
			"root/anaconda-ks.cfg", "root/original-ks.cfg", "var/lib/logrotate.status",
			"var/cache/man/index.db", "etc/Pegasus/server.pem"),
	}, {
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/log/syslog":              "s",
			"var/log/syslog.1":            "s",
			"var/log/auth.log":            "a",
			"var/log/dpkg.log":            "d",
			"var/log/apt/history.log":     "h",
			"var/log/apt/eipp.log.xz":     "e",
			"var/log/installer/syslog":    "i",
			"var/log/installer/cdebconf/": "",
			"var/log/lastlog":             "l",
			"var/log/wtmp":                "w",
			"var/log/btmp":                "b",
			"var/log/private/":            "",
			"var/log/.hidden.log":         "kept: * skips dotfiles",
		},
		removed: abs("var/log/syslog", "var/log/syslog.1", "var/log/auth.log", "var/log/dpkg.log",
			"var/log/apt/history.log", "var/log/apt/eipp.log.xz", "var/log/installer/syslog",
			"var/log/installer/cdebconf", "var/log/lastlog", "var/log/wtmp", "var/log/btmp"),
	}})
}

func TestLogGlobsComplete(t *testing.T) {
	// The reference list (note b): 52 globs under /var/log, 18 elsewhere.
	g := logGlobs()
	if len(varLogGlobs) != 52 || len(otherLogGlobs) != 18 || len(g) != 70 {
		t.Fatalf("got %d + %d globs, want 52 + 18", len(varLogGlobs), len(otherLogGlobs))
	}
	for _, want := range []string{"/var/log/*.log*", "/var/log/journal/*", "/var/log/ConsoleKit/*",
		"/var/lib/AccountService/users/*", "/etc/Pegasus/*.srl", "/root/initial-setup-ks.cfg"} {
		if !slices.Contains(g, want) {
			t.Errorf("missing %s", want)
		}
	}
}
