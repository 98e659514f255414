package sysprep

// Departure: a new default operation; no virt-sysprep operation covers it.
// systemd-creds encrypts service credentials with this host key, so clones
// sharing it could read each other's credentials. systemd makes a new one
// on demand when it is missing.
func init() {
	register(globOp{
		name:      "systemd-credential-secret",
		summary:   "Remove systemd's credential encryption key, so each clone makes its own",
		defaultOn: true,
		gate:      linuxOnly,
		rm:        []string{"/var/lib/systemd/credential.secret"},
	})
}
