package sysprep

import "testing"

func TestIPAClient(t *testing.T) {
	unit := "/etc/systemd/system/sysprep-update-ca-trust.service"
	runCases(t, "ipa-client", []opCase{{
		name:  "rocky enrolled",
		guest: rockyGuest(),
		tree: map[string]string{
			"etc/ipa/ca.crt":                                 "ca",
			"etc/ipa/default.conf":                           "[global]",
			"etc/ipa/nssdb/cert9.db":                         "kept",
			"var/lib/ipa-client/sysrestore/sysrestore.state": "s",
			"var/lib/ipa-client/pki/kdc-ca-bundle.pem":       "p",
			"etc/pki/ca-trust/source/anchors/ipa-ca.crt":     "ca",
			"etc/pki/ca-trust/source/ipa.p11-kit":            "p11",
			"etc/pki/ca-trust/source/anchors/corp.crt":       "kept",
			"etc/systemd/system/":                            "",
		},
		removed: abs("etc/ipa/ca.crt", "etc/ipa/default.conf", "var/lib/ipa-client/sysrestore/sysrestore.state",
			"var/lib/ipa-client/pki/kdc-ca-bundle.pem", "etc/pki/ca-trust/source/anchors/ipa-ca.crt",
			"etc/pki/ca-trust/source/ipa.p11-kit"),
		created: []string{unit, "/etc/systemd/system/multi-user.target.wants",
			"/etc/systemd/system/multi-user.target.wants/sysprep-update-ca-trust.service"},
		notes: []string{"update-ca-trust extract"},
	}, {
		name:  "ubuntu anchor",
		guest: ubuntuGuest(),
		tree: map[string]string{
			"usr/local/share/ca-certificates/ipa-ca.crt": "ca",
			"etc/systemd/system/":                        "",
		},
		removed: abs("usr/local/share/ca-certificates/ipa-ca.crt"),
		created: []string{unit, "/etc/systemd/system/multi-user.target.wants",
			"/etc/systemd/system/multi-user.target.wants/sysprep-update-ca-trust.service"},
		notes: []string{"update-ca-certificates"},
	}, {
		name:    "enrolment files only: no CA rebuild",
		guest:   rockyGuest(),
		tree:    map[string]string{"etc/ipa/default.conf": "[global]", "etc/systemd/system/": ""},
		removed: abs("etc/ipa/default.conf"),
	}})
}
