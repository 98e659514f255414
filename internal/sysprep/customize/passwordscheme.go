package customize

import (
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/accounts"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// scheme picks the hash scheme: password-crypto, else the guest's
// login.defs ENCRYPT_METHOD, else the distro default.
func (r *run) scheme(db *accounts.DB) crypt.Scheme {
	if r.crypto != "" {
		return r.crypto
	}
	if m, ok := db.LoginDefs.Get("ENCRYPT_METHOD"); ok {
		switch strings.ToUpper(m) {
		case "YESCRYPT":
			return crypt.Yescrypt
		case "SHA512":
			return crypt.SHA512
		case "SHA256":
			return crypt.SHA256
		case "MD5":
			return crypt.MD5
		}
		def := defaultScheme(r.g)
		r.warnf("customize: %s ENCRYPT_METHOD %s is not supported here: using %s (set password-crypto to choose)", accounts.LoginDefsPath, m, def)
		return def
	}
	return defaultScheme(r.g)
}

// defaultScheme is virt-customize's per-distro default, with sha512 (not
// md5) for everything it does not know.
func defaultScheme(g *guest.Guest) crypt.Scheme {
	yes := false
	switch {
	case g.Distro == "ubuntu":
		yes = g.Major >= 20
	case g.Distro == "debian":
		yes = g.Major >= 11
	case g.Distro == "kali", g.Family == guest.FamilyArch:
		yes = true
	case g.Family == guest.FamilyRHEL:
		yes = g.Major >= 9
	case g.Family == guest.FamilyFedora:
		yes = g.Major >= 30
	case g.Family == guest.FamilySUSE:
		yes = g.Major >= 15
	}
	if yes {
		return crypt.Yescrypt
	}
	return crypt.SHA512
}
