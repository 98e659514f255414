package sysprep

import "testing"

func TestSSHUserdir(t *testing.T) {
	runCases(t, "ssh-userdir", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"home/alice/.ssh/authorized_keys": "ssh-ed25519 AAAA alice",
			"home/alice/.ssh/id_ed25519":      "PRIVATE",
			"home/bob/.ssh":                   "-> /etc/bob-ssh",
			"etc/bob-ssh/authorized_keys":     "kept: the symlink goes, not its target",
			"root/.ssh/known_hosts":           "h",
			"etc/ssh/ssh_config":              "kept",
		},
		removed: abs("home/alice/.ssh/authorized_keys", "home/alice/.ssh/id_ed25519", "home/alice/.ssh",
			"home/bob/.ssh", "root/.ssh/known_hosts", "root/.ssh"),
	}})
}
