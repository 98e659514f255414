package sysprep

func init() {
	register(globOp{
		name:      "dovecot-data",
		summary:   "Remove Dovecot (mail server) data",
		defaultOn: true,
		rm:        []string{"/var/lib/dovecot/*"},
	})
}
