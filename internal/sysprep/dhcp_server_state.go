package sysprep

func init() {
	register(globOp{
		name:      "dhcp-server-state",
		summary:   "Remove DHCP server leases",
		defaultOn: true,
		rmrf:      []string{"/var/lib/dhcpd/*"},
	})
}
