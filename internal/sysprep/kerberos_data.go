package sysprep

import (
	"context"
	"path"
)

func init() { register(kerberosData{}) }

// kerberosData removes the KDC's database, keeping its configuration.
type kerberosData struct{}

func (kerberosData) Name() string    { return "kerberos-data" }
func (kerberosData) Summary() string { return "Remove Kerberos data in the guest" }
func (kerberosData) DefaultOn() bool { return false }

func (kerberosData) Apply(_ context.Context, e *Env) error {
	keep := func(p string) bool {
		b := path.Base(p)
		return b == "kadm5.acl" || b == "kdc.conf"
	}
	return rmGlob(e, rmOpts{keep: keep}, "/var/kerberos/krb5kdc/*")
}
