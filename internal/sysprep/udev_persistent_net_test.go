package sysprep

import "testing"

func TestUdevPersistentNet(t *testing.T) {
	runCases(t, "udev-persistent-net", []opCase{{
		name:    "centos7",
		guest:   centos7Guest(),
		tree:    map[string]string{"etc/udev/rules.d/70-persistent-net.rules": "SUBSYSTEM==\"net\"", "etc/udev/rules.d/99-local.rules": "kept"},
		removed: abs("etc/udev/rules.d/70-persistent-net.rules"),
	}})
}
