package sysprep

import "testing"

func TestKerberosData(t *testing.T) {
	runCases(t, "kerberos-data", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/kerberos/krb5kdc/principal":    "db",
			"var/kerberos/krb5kdc/principal.ok": "",
			"var/kerberos/krb5kdc/.k5.EXAMPLE":  "kept: dotfile, not matched by *",
			"var/kerberos/krb5kdc/kadm5.acl":    "kept",
			"var/kerberos/krb5kdc/kdc.conf":     "kept",
		},
		removed: abs("var/kerberos/krb5kdc/principal", "var/kerberos/krb5kdc/principal.ok"),
	}})
}
