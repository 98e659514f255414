package sysprep

func init() {
	register(globOp{
		name:      "sssd-db-log",
		summary:   "Remove the database and log files of sssd",
		defaultOn: true,
		rm:        []string{"/var/log/sssd/*", "/var/lib/sss/db/*"},
	})
}
