package sysprep

import "testing"

func TestNetHostname(t *testing.T) {
	ifcfg := "DEVICE=eth0\nHOSTNAME=template.example.com\nBOOTPROTO=dhcp\nDHCP_HOSTNAME=template\nONBOOT=yes\n"
	tree := map[string]string{
		"etc/sysconfig/network-scripts/ifcfg-eth0":                ifcfg,
		"etc/sysconfig/network-scripts/ifcfg-lo":                  "DEVICE=lo\nONBOOT=yes", // no change, no final newline: untouched
		"etc/NetworkManager/system-connections/eth0.nmconnection": "[connection]\nid=eth0\n[ipv4]\nmethod=auto\ndhcp-hostname=template\n",
	}
	runCases(t, "net-hostname", []opCase{{
		name:    "rocky (the reference skips rocky)",
		guest:   rockyGuest(),
		tree:    tree,
		changed: abs("etc/sysconfig/network-scripts/ifcfg-eth0", "etc/NetworkManager/system-connections/eth0.nmconnection"),
		files: map[string]string{
			"/etc/sysconfig/network-scripts/ifcfg-eth0":                "DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n",
			"/etc/sysconfig/network-scripts/ifcfg-lo":                  "DEVICE=lo\nONBOOT=yes",
			"/etc/NetworkManager/system-connections/eth0.nmconnection": "[connection]\nid=eth0\n[ipv4]\nmethod=auto\n",
		},
	}, {
		name:    "rocky with net-nmconn: keyfiles left to it",
		guest:   rockyGuest(),
		ops:     []string{"net-hostname", "net-nmconn"},
		tree:    tree,
		changed: abs("etc/sysconfig/network-scripts/ifcfg-eth0"),
		removed: abs("etc/NetworkManager/system-connections/eth0.nmconnection"),
	}, {
		name:    "debian: ifcfg is not its format, keyfiles are",
		guest:   debianGuest(),
		tree:    tree,
		changed: abs("etc/NetworkManager/system-connections/eth0.nmconnection"),
		files:   map[string]string{"/etc/sysconfig/network-scripts/ifcfg-eth0": ifcfg},
	}})
}
