package sysprep

func init() {
	register(globOp{
		name:      "blkid-tab",
		summary:   "Remove blkid tab in the guest",
		defaultOn: true,
		rm: []string{
			"/var/run/blkid.tab", "/var/run/blkid.tab.old",
			"/etc/blkid/blkid.tab", "/etc/blkid/blkid.tab.old",
			"/etc/blkid.tab", "/etc/blkid.tab.old",
			"/dev/.blkid.tab", "/dev/.blkid.tab.old",
		},
		keepSymlinks: true,
	})
}
