package sysprep

// Departure: gated on the Red Hat os-release family rather than on
// distro "rhel" alone.
func init() {
	register(globOp{
		name:      "rhn-systemid",
		summary:   "Remove the RHN system ID",
		defaultOn: true,
		gate:      redHatFamily,
		rm:        []string{"/etc/sysconfig/rhn/systemid", "/etc/sysconfig/rhn/osad-auth.conf"},
	})
}
