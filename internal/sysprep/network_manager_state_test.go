package sysprep

import "testing"

func TestNetworkManagerState(t *testing.T) {
	tree := map[string]string{
		"var/lib/NetworkManager/internal-6d2f-eth0.lease":   "ADDRESS=10.0.0.5",
		"var/lib/NetworkManager/dhclient-6d2f-eth0.lease":   "lease {}",
		"var/lib/NetworkManager/dhclient6-6d2f-eth0.lease":  "lease6 {}",
		"var/lib/NetworkManager/secret_key":                 "0123456789",
		"var/lib/NetworkManager/timestamps":                 "[timestamps]\n",
		"var/lib/NetworkManager/seen-bssids":                "[seen-bssids]\n",
		"var/lib/NetworkManager/NetworkManager.state":       "kept: enablement flags",
		"var/lib/NetworkManager/NetworkManager-intern.conf": "kept",
	}
	removed := abs("var/lib/NetworkManager/internal-6d2f-eth0.lease", "var/lib/NetworkManager/dhclient-6d2f-eth0.lease",
		"var/lib/NetworkManager/dhclient6-6d2f-eth0.lease", "var/lib/NetworkManager/secret_key",
		"var/lib/NetworkManager/timestamps", "var/lib/NetworkManager/seen-bssids")
	runCases(t, "network-manager-state", []opCase{
		{name: "rocky", guest: rockyGuest(), tree: tree, removed: removed},
		{name: "ubuntu", guest: ubuntuGuest(), tree: tree, removed: removed},
	})
}
