package sysprep

// Departure: gated on the Red Hat os-release family rather than on
// distro "rhel" alone (a rebuild has no such files; removing none is harmless).
func init() {
	register(globOp{
		name:      "rh-subscription-manager",
		summary:   "Remove the RH subscription manager files",
		defaultOn: true,
		gate:      redHatFamily,
		rmrf:      []string{"/etc/pki/consumer/*", "/etc/pki/entitlement/*"},
	})
}
