package sysprep

import "github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"

func init() {
	register(globOp{
		name:      "yum-uuid",
		summary:   "Remove the yum UUID",
		defaultOn: true,
		gate:      func(g *guest.Guest) bool { return g.PackageManager == "yum" },
		rm:        []string{"/var/lib/yum/uuid"},
	})
}
