package sysprep

import "testing"

func TestPAMData(t *testing.T) {
	runCases(t, "pam-data", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/run/console/alice":  "",
			"var/run/faillock/alice": "x",
			"var/run/sepermit/x":     "y",
			"var/run/other/keep":     "kept",
		},
		removed: abs("var/run/console/alice", "var/run/faillock/alice", "var/run/sepermit/x"),
	}})
}
