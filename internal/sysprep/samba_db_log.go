package sysprep

func init() {
	register(globOp{
		name:      "samba-db-log",
		summary:   "Remove the database and log files of Samba",
		defaultOn: true,
		// rm only: directories stay, as in virt-sysprep.
		rm: []string{"/var/log/samba/old/*", "/var/log/samba/*", "/var/lib/samba/*/*", "/var/lib/samba/*"},
	})
}
