package sysprep

import "testing"

func TestAbrtData(t *testing.T) {
	runCases(t, "abrt-data", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/spool/abrt/ccpp-2024-01-01/coredump": "core",
			"var/spool/abrt/last-ccpp":                "x",
			"var/spool/abrt/.lock":                    "kept: rm-rf of a glob skips dotfiles",
		},
		removed: abs("var/spool/abrt/ccpp-2024-01-01/coredump", "var/spool/abrt/ccpp-2024-01-01", "var/spool/abrt/last-ccpp"),
	}, {
		name:  "nothing to do",
		guest: debianGuest(),
	}})
}
