package sysprep

func init() {
	register(globOp{
		name:      "kerberos-hostkeytab",
		summary:   "Remove the Kerberos host keytab file in the guest",
		defaultOn: true,
		rm:        []string{"/etc/krb5.keytab"},
	})
}
