package sysprep

// Departure: a new default operation. virt-sysprep's customize step refills
// the seed on the host, so every clone of the template shares one seed; we
// remove it and each clone makes its own (systemd-random-seed, urandom init
// scripts and systemd-boot all cope with a missing seed).
func init() {
	register(globOp{
		name:      "random-seed",
		summary:   "Remove the saved random seeds, so each clone makes its own",
		defaultOn: true,
		gate:      linuxOnly,
		rm: []string{
			"/var/lib/systemd/random-seed",
			"/var/lib/random-seed",
			"/var/lib/urandom/random-seed",
			"/var/lib/misc/random-seed",
			"/etc/random-seed",
			// systemd-boot's seed, when the ESP is mounted in the guest view.
			"/boot/loader/random-seed",
			"/boot/efi/loader/random-seed",
			"/efi/loader/random-seed",
		},
	})
}
