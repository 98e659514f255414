package sysprep

// As in the newest virt-sysprep (absent from 1.48.2): clones get new disk
// WWIDs, and a stale devices file makes pvscan ignore the new ones.
func init() {
	register(globOp{
		name:      "lvm-system-devices",
		summary:   "Remove the LVM2 system.devices file",
		defaultOn: true,
		gate:      linuxOnly,
		rm:        []string{"/etc/lvm/devices/system.devices"},
	})
}
