package sysprep

import "testing"

func TestRandomSeed(t *testing.T) {
	runCases(t, "random-seed", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/lib/systemd/random-seed":       "0123456789abcdef",
			"var/lib/urandom/random-seed":       "fedcba",
			"var/lib/systemd/credential.secret": "kept",
		},
		removed: abs("var/lib/systemd/random-seed", "var/lib/urandom/random-seed"),
	}, {
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/lib/systemd/random-seed": "s",
			"var/lib/random-seed":         "s",
			"boot/loader/random-seed":     "s",
		},
		removed: abs("var/lib/systemd/random-seed", "var/lib/random-seed", "boot/loader/random-seed"),
	}, {
		name:    "suse and cirros locations",
		guest:   suseGuest(),
		tree:    map[string]string{"var/lib/misc/random-seed": "s", "etc/random-seed": "s"},
		removed: abs("var/lib/misc/random-seed", "etc/random-seed"),
	}})
}
