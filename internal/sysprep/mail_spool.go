package sysprep

func init() {
	register(globOp{
		name:      "mail-spool",
		summary:   "Remove email from the local mail spool directory",
		defaultOn: true,
		rmrf:      []string{"/var/spool/mail/*", "/var/mail/*"},
	})
}
