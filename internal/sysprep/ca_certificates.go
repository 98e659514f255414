package sysprep

import (
	"context"
	"path"
)

func init() { register(caCertificates{}) }

// caCertificates removes the guest's own certificates and keys from the
// system PKI directories (never the distro's CA bundle).
//
// Departure: virt-sysprep rebuilds the CA store by running guest code on
// the host; we install a first-boot unit that rebuilds it in the clone.
type caCertificates struct{}

func (caCertificates) Name() string    { return "ca-certificates" }
func (caCertificates) Summary() string { return "Remove CA certificates in the guest" }
func (caCertificates) DefaultOn() bool { return false }

var caCertGlobs = []string{
	"/etc/pki/CA/certs/*.crt",
	"/etc/pki/CA/crl/*.crt",
	"/etc/pki/CA/newcerts/*.crt",
	"/etc/pki/CA/private/*.key",
	"/etc/pki/tls/private/*.key",
	"/etc/pki/tls/certs/*.crt",
}

func (caCertificates) Apply(_ context.Context, e *Env) error {
	keep := func(p string) bool {
		return p == "/etc/pki/tls/certs/ca-bundle.crt" || p == "/etc/pki/tls/certs/ca-bundle.trust.crt"
	}
	removed := false
	o := rmOpts{keep: keep, onRemoved: func(string) { removed = true }}
	if err := rmGlob(e, o, caCertGlobs...); err != nil {
		return err
	}
	if !removed {
		return nil
	}
	return scheduleCARebuild(e)
}

// caRebuildUnit is the first-boot unit that rebuilds the CA store.
const caRebuildUnit = "sysprep-update-ca-trust.service"

// scheduleCARebuild installs a unit that rebuilds the guest's CA store once,
// at the first boot (and then disables itself). Guests outside the Red Hat
// and Debian families, or without systemd, get a warning, as in virt-sysprep.
func scheduleCARebuild(e *Env) error {
	var cmd string
	switch {
	case e.Guest.IsRedHatLike():
		cmd = "/usr/bin/update-ca-trust extract"
	case e.Guest.IsDebianLike():
		cmd = "/usr/sbin/update-ca-certificates"
	default:
		e.Warnf("the CA store must be rebuilt, but sysprep does not know how on %q guests; rebuild it in the clone", e.Guest.Distro)
		return nil
	}
	if !hasSystemd(e) {
		e.Warnf("the CA store must be rebuilt, but the guest has no systemd to do it at first boot; run %s in the clone", cmd)
		return nil
	}
	wants := path.Join(systemdUnitDir, "multi-user.target.wants", caRebuildUnit)
	text := "# Installed by packer-plugin-sysprep (ca-certificates, ipa-client):\n" +
		"# rebuild the CA store once, at the clone's first boot, then disable itself.\n" +
		"[Unit]\n" +
		"Description=Rebuild the CA trust store after sysprep\n" +
		"After=local-fs.target\n" +
		"Before=network-pre.target\n" +
		"\n[Service]\n" +
		"Type=oneshot\n" +
		"ExecStart=" + cmd + "\n" +
		"ExecStartPost=/bin/rm -f " + wants + "\n" +
		"\n[Install]\n" +
		"WantedBy=multi-user.target\n"
	if err := installFirstBootUnit(e, firstBootUnit{Name: caRebuildUnit, Text: text, WantedBy: []string{"multi-user.target"}}); err != nil {
		return err
	}
	e.Note("CA store will be rebuilt at first boot (%s runs %s)", caRebuildUnit, cmd)
	return nil
}
