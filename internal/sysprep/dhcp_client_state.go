package sysprep

func init() {
	register(globOp{
		name:      "dhcp-client-state",
		summary:   "Remove DHCP client leases",
		defaultOn: true,
		gate:      linuxOnly,
		rmrf: []string{
			"/var/lib/dhclient/*",
			"/var/lib/dhcp/*",
			// Departure: dhcpcd's and wicked's leases and DUIDs too (a
			// shared DUID gives every clone the same DHCPv6 lease).
			"/var/lib/dhcpcd/*",
			"/etc/dhcpcd.duid",
			"/etc/dhcpcd.secret",
			"/var/lib/wicked/lease-*",
			"/var/lib/wicked/duid.xml",
			"/var/lib/wicked/iaid.xml",
		},
	})
}
