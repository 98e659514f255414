package sysprep

func init() {
	register(globOp{
		name:      "utmp",
		summary:   "Remove the utmp file",
		defaultOn: true,
		rm:        []string{"/var/run/utmp"},
	})
}
