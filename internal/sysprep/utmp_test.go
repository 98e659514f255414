package sysprep

import "testing"

func TestUtmp(t *testing.T) {
	runCases(t, "utmp", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/run/utmp": "\x07\x00", "var/log/wtmp": "kept: logfiles' job"},
		removed: abs("var/run/utmp"),
	}})
}
