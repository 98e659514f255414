package sysprep

import "testing"

func TestCronSpool(t *testing.T) {
	runCases(t, "cron-spool", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/spool/cron/crontabs/alice":   "* * * * * true\n",
			"var/spool/cron/atjobs/a0000101a": "#!/bin/sh\n",
			"var/spool/cron/atjobs/.SEQ":      "00042\n",
			"var/spool/cron/atspool/":         "",
			"var/spool/cron/crontabs/link":    "-> /etc/passwd",
		},
		removed: abs("var/spool/cron/crontabs/alice", "var/spool/cron/atjobs/a0000101a"),
		changed: abs("var/spool/cron/atjobs/.SEQ"),
		files: map[string]string{
			"/var/spool/cron/atjobs/.SEQ":   "00000\n",
			"/var/spool/cron/crontabs/link": "-> /etc/passwd", // files-only keeps symlinks
		},
	}, {
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/spool/cron/alice":   "@reboot true\n",
			"var/spool/at/a00001019": "job",
			"var/spool/at/spool/a1":  "out",
			"var/spool/at/.SEQ":      "7\n",
			"var/spool/atjobs/x":     "job",
			"var/spool/atjobs/.SEQ":  "3\n",
			"var/spool/atspool/y":    "out",
			"var/spool/atspool/sub/": "",
		},
		removed: abs("var/spool/cron/alice", "var/spool/at/a00001019", "var/spool/at/spool/a1",
			"var/spool/atjobs/x", "var/spool/atspool/y"),
		changed: abs("var/spool/at/.SEQ", "var/spool/atjobs/.SEQ"),
		files:   map[string]string{"/var/spool/at/.SEQ": "00000\n", "/var/spool/atjobs/.SEQ": "00000\n"},
	}, {
		name:  "SEQ already reset, symlinked SEQ left alone",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/spool/at/.SEQ":     "00000\n",
			"var/spool/atjobs/.SEQ": "-> /tmp/seq",
		},
	}})
}
