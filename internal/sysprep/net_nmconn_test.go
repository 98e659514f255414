package sysprep

import "testing"

func TestNetNmconn(t *testing.T) {
	tree := map[string]string{
		"etc/NetworkManager/system-connections/eth0.nmconnection": "[connection]\nid=eth0\n",
		"etc/NetworkManager/system-connections/wifi.nmconnection": "[connection]\nid=wifi\n",
		"etc/NetworkManager/system-connections/legacy":            "kept: not *.nmconnection",
		"etc/NetworkManager/NetworkManager.conf":                  "kept",
	}
	removed := abs("etc/NetworkManager/system-connections/eth0.nmconnection", "etc/NetworkManager/system-connections/wifi.nmconnection")
	runCases(t, "net-nmconn", []opCase{
		// virt-sysprep 1.48.2 skips "rocky": we gate on the family.
		{name: "rocky", guest: rockyGuest(), tree: tree, removed: removed},
		{name: "fedora", guest: fedoraGuest(), tree: tree, removed: removed},
		{name: "debian untouched", guest: debianGuest(), tree: tree},
	})
}
