package sysprep

import (
	iofs "io/fs"
	"testing"
)

func TestPacctLog(t *testing.T) {
	runCases(t, "pacct-log", []opCase{{
		name:  "rocky (family gate; the reference skips rocky)",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/account/pacct":          "records",
			"var/account/pacct-20240101": "old",
			"var/account/pacct.1.gz":     "old",
			"var/account/savacct":        "kept",
		},
		removed: abs("var/account/pacct-20240101", "var/account/pacct.1.gz"),
		changed: abs("var/account/pacct"),
		files:   map[string]string{"/var/account/pacct": ""},
		modes:   map[string]iofs.FileMode{"/var/account/pacct": 0o644}, // kept, not recreated
	}, {
		name:    "debian, log missing: created 0600",
		guest:   debianGuest(),
		tree:    map[string]string{"var/log/account/pacct.0": "old", "var/log/account/pacct.1.gz": "old"},
		removed: abs("var/log/account/pacct.0", "var/log/account/pacct.1.gz"),
		created: abs("var/log/account/pacct"),
		files:   map[string]string{"/var/log/account/pacct": ""},
		modes:   map[string]iofs.FileMode{"/var/log/account/pacct": 0o600},
	}, {
		name:  "no accounting directory: nothing created",
		guest: debianGuest(),
	}, {
		name:  "suse untouched",
		guest: suseGuest(),
		tree:  map[string]string{"var/account/pacct": "kept"},
	}})
}
