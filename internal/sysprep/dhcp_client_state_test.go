package sysprep

import "testing"

func TestDHCPClientState(t *testing.T) {
	runCases(t, "dhcp-client-state", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/lib/dhcp/dhclient.eth0.leases": "lease {}",
			"var/lib/dhcp/dhclient.leases":      "lease {}",
			"etc/dhcp/dhclient.conf":            "kept",
		},
		removed: abs("var/lib/dhcp/dhclient.eth0.leases", "var/lib/dhcp/dhclient.leases"),
	}, {
		name:    "centos7",
		guest:   centos7Guest(),
		tree:    map[string]string{"var/lib/dhclient/dhclient--eth0.lease": "lease {}"},
		removed: abs("var/lib/dhclient/dhclient--eth0.lease"),
	}, {
		name:  "dhcpcd and wicked (additions)",
		guest: archGuest(),
		tree: map[string]string{
			"var/lib/dhcpcd/eth0.lease":               "l",
			"var/lib/dhcpcd/duid":                     "d",
			"etc/dhcpcd.duid":                         "d",
			"etc/dhcpcd.conf":                         "kept",
			"var/lib/wicked/lease-eth0-dhcp-ipv4.xml": "l",
			"var/lib/wicked/duid.xml":                 "d",
		},
		removed: abs("var/lib/dhcpcd/eth0.lease", "var/lib/dhcpcd/duid", "etc/dhcpcd.duid",
			"var/lib/wicked/lease-eth0-dhcp-ipv4.xml", "var/lib/wicked/duid.xml"),
	}, {
		name:  "NetworkManager leases are network-manager-state's",
		guest: rockyGuest(),
		tree:  map[string]string{"var/lib/NetworkManager/internal-1-eth0.lease": "kept"},
	}})
}
