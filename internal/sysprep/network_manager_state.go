package sysprep

// Departure: a new default operation. virt-sysprep leaves NetworkManager's
// state behind, so clones reuse the template's leases and share its
// secret_key, from which NetworkManager derives stable-privacy IPv6
// addresses and stable MAC addresses (identical across clones otherwise).
// Its runtime state under /run is on tmpfs and never in the image.
func init() {
	register(globOp{
		name:      "network-manager-state",
		summary:   "Remove NetworkManager leases, secret key and connection timestamps",
		defaultOn: true,
		gate:      linuxOnly,
		rm: []string{
			"/var/lib/NetworkManager/*.lease", // internal-*, dhclient-*, dhclient6-*
			"/var/lib/NetworkManager/secret_key",
			"/var/lib/NetworkManager/timestamps",
			"/var/lib/NetworkManager/seen-bssids",
		},
	})
}
