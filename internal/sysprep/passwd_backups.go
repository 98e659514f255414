package sysprep

func init() {
	register(globOp{
		name:      "passwd-backups",
		summary:   "Remove /etc/passwd- and similar backup files",
		defaultOn: true,
		gate:      linuxOnly,
		rm: []string{
			"/etc/group-", "/etc/gshadow-", "/etc/passwd-",
			"/etc/shadow-", "/etc/subgid-", "/etc/subuid-",
		},
	})
}
