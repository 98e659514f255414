package sysprep

func init() {
	register(globOp{
		name:      "puppet-data-log",
		summary:   "Remove the data and log files of puppet",
		defaultOn: true,
		// rm only: directories stay, as in virt-sysprep.
		rm: []string{"/var/log/puppet/*", "/var/lib/puppet/*/*", "/var/lib/puppet/*/*/*"},
	})
}
