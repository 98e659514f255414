package sysprep

func init() {
	register(globOp{
		name:      "pam-data",
		summary:   "Remove the PAM data in the guest",
		defaultOn: true,
		rm:        []string{"/var/run/console/*", "/var/run/faillock/*", "/var/run/sepermit/*"},
	})
}
