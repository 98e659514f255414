package sysprep

import "testing"

func TestSmoltUUID(t *testing.T) {
	runCases(t, "smolt-uuid", []opCase{{
		name:    "fedora",
		guest:   fedoraGuest(),
		tree:    map[string]string{"etc/sysconfig/hw-uuid": "u", "etc/smolt/uuid": "u", "etc/smolt/hw-uuid": "h", "etc/smolt/config": "kept"},
		removed: abs("etc/sysconfig/hw-uuid", "etc/smolt/uuid", "etc/smolt/hw-uuid"),
	}})
}
