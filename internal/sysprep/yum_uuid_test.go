package sysprep

import "testing"

func TestYumUUID(t *testing.T) {
	tree := map[string]string{"var/lib/yum/uuid": "4b1a...", "var/lib/yum/history/h.sqlite": "kept"}
	runCases(t, "yum-uuid", []opCase{
		{name: "centos7 (yum)", guest: centos7Guest(), tree: tree, removed: abs("var/lib/yum/uuid")},
		{name: "rocky (dnf) untouched", guest: rockyGuest(), tree: tree},
	})
}
