package sysprep

import "testing"

func TestSambaDBLog(t *testing.T) {
	runCases(t, "samba-db-log", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/log/samba/log.smbd":            "l",
			"var/log/samba/old/log.nmbd.1":      "o",
			"var/lib/samba/wins.dat":            "w",
			"var/lib/samba/private/secrets.tdb": "s",
			"var/lib/samba/private/msg.sock/x":  "kept: depth 3",
		},
		removed: abs("var/log/samba/log.smbd", "var/log/samba/old/log.nmbd.1", "var/lib/samba/wins.dat", "var/lib/samba/private/secrets.tdb"),
	}})
}
