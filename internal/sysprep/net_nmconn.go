package sysprep

// Departure: gated on the Red Hat os-release family, so Rocky, Alma, CentOS
// and Oracle Linux are cleaned too (virt-sysprep skips "rocky").
func init() {
	register(globOp{
		name:      "net-nmconn",
		summary:   "Remove system-local NetworkManager connection profiles (keyfiles)",
		defaultOn: true,
		gate:      redHatFamily,
		rm:        []string{"/etc/NetworkManager/system-connections/*.nmconnection"},
	})
}
