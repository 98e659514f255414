package sysprep

import "testing"

func TestDHCPServerState(t *testing.T) {
	runCases(t, "dhcp-server-state", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/lib/dhcpd/dhcpd.leases": "lease {}", "var/lib/dhcpd/dhcpd6.leases": "", "etc/dhcp/dhcpd.conf": "kept"},
		removed: abs("var/lib/dhcpd/dhcpd.leases", "var/lib/dhcpd/dhcpd6.leases"),
	}})
}
