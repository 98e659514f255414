package sysprep

import "testing"

func TestLVMSystemDevices(t *testing.T) {
	runCases(t, "lvm-system-devices", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"etc/lvm/devices/system.devices": "VERSION=1.1.1\nIDTYPE=sys_wwid IDNAME=naa.1\n", "etc/lvm/lvm.conf": "kept"},
		removed: abs("etc/lvm/devices/system.devices"),
	}})
}
