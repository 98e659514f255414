package sysprep

import "testing"

func TestKerberosHostkeytab(t *testing.T) {
	runCases(t, "kerberos-hostkeytab", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"etc/krb5.keytab": "\x05\x02", "etc/krb5.conf": "kept"},
		removed: abs("etc/krb5.keytab"),
	}})
}
