package sysprep

import "testing"

func TestRHSubscriptionManager(t *testing.T) {
	tree := map[string]string{
		"etc/pki/consumer/cert.pem":      "c",
		"etc/pki/consumer/key.pem":       "k",
		"etc/pki/entitlement/123.pem":    "e",
		"etc/pki/product-default/69.pem": "kept",
	}
	removed := abs("etc/pki/consumer/cert.pem", "etc/pki/consumer/key.pem", "etc/pki/entitlement/123.pem")
	rhel := rockyGuest()
	rhel.Distro, rhel.IDLike = "rhel", []string{"fedora"}
	runCases(t, "rh-subscription-manager", []opCase{
		{name: "rhel", guest: rhel, tree: tree, removed: removed},
		{name: "rocky (family gate)", guest: rockyGuest(), tree: tree, removed: removed},
		{name: "debian untouched", guest: debianGuest(), tree: tree},
	})
}
