package sysprep

import "testing"

func TestRHNSystemID(t *testing.T) {
	tree := map[string]string{
		"etc/sysconfig/rhn/systemid":       "<params/>",
		"etc/sysconfig/rhn/osad-auth.conf": "x",
		"etc/sysconfig/rhn/up2date":        "kept",
	}
	runCases(t, "rhn-systemid", []opCase{
		{name: "centos7", guest: centos7Guest(), tree: tree, removed: abs("etc/sysconfig/rhn/systemid", "etc/sysconfig/rhn/osad-auth.conf")},
		{name: "suse untouched", guest: suseGuest(), tree: tree},
	})
}
