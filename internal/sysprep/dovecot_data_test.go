package sysprep

import "testing"

func TestDovecotData(t *testing.T) {
	runCases(t, "dovecot-data", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/lib/dovecot/instances":          "x",
			"var/lib/dovecot/ssl-parameters.dat": "y",
			"var/lib/dovecot/sub/file":           "kept: rm does not descend",
		},
		removed: abs("var/lib/dovecot/instances", "var/lib/dovecot/ssl-parameters.dat"),
	}})
}
