package sysprep

import "testing"

func TestPasswdBackups(t *testing.T) {
	runCases(t, "passwd-backups", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"etc/group-": "g", "etc/gshadow-": "gs", "etc/passwd-": "p", "etc/shadow-": "s",
			"etc/subgid-": "sg", "etc/subuid-": "su",
			"etc/shadow": "kept", "etc/group": "kept",
		},
		removed: abs("etc/group-", "etc/gshadow-", "etc/passwd-", "etc/shadow-", "etc/subgid-", "etc/subuid-"),
	}})
}
