package sysprep

import "github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"

// Only the Berkeley DB environment files go: rpm recreates them, and they
// hold host-specific locks. The sqlite database (and its -wal) is kept.
func init() {
	register(globOp{
		name:      "rpm-db",
		summary:   "Remove host-specific RPM database files",
		defaultOn: true,
		gate:      func(g *guest.Guest) bool { return g.PackageFormat == "rpm" },
		rm:        []string{"/var/lib/rpm/__db.*"},
	})
}
