package sysprep

func init() {
	register(globOp{
		name:      "udev-persistent-net",
		summary:   "Remove udev persistent net rules",
		defaultOn: true,
		gate:      linuxOnly,
		rm:        []string{"/etc/udev/rules.d/70-persistent-net.rules"},
	})
}
