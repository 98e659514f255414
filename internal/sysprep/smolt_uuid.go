package sysprep

func init() {
	register(globOp{
		name:      "smolt-uuid",
		summary:   "Remove the Smolt hardware UUID",
		defaultOn: true,
		gate:      linuxOnly,
		rm:        []string{"/etc/sysconfig/hw-uuid", "/etc/smolt/uuid", "/etc/smolt/hw-uuid"},
	})
}
