package sysprep

import "testing"

func TestSystemdCredentialSecret(t *testing.T) {
	runCases(t, "systemd-credential-secret", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/lib/systemd/credential.secret": "0123456789abcdef",
			"var/lib/systemd/random-seed":       "kept by this operation",
			"etc/credstore/db-password":         "kept: credentials the image ships",
		},
		removed: abs("var/lib/systemd/credential.secret"),
	}, {
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/lib/systemd/credential.secret": "k"},
		removed: abs("var/lib/systemd/credential.secret"),
	}})
}
