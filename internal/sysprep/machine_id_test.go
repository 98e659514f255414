package sysprep

import (
	iofs "io/fs"
	"testing"
)

func TestMachineID(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef\n"
	runCases(t, "machine-id", []opCase{{
		name:    "default: empty, never refilled",
		guest:   rockyGuest(),
		tree:    map[string]string{"etc/machine-id": id, "var/lib/dbus/machine-id": id},
		changed: abs("etc/machine-id", "var/lib/dbus/machine-id"),
		files:   map[string]string{"/etc/machine-id": "", "/var/lib/dbus/machine-id": ""},
		notes:   []string{"/etc/machine-id left empty"},
	}, {
		name:    "empty mode explicit, dbus symlink kept",
		guest:   debianGuest(),
		plan:    &Plan{MachineID: MachineIDEmpty},
		tree:    map[string]string{"etc/machine-id": id, "var/lib/dbus/machine-id": "-> /etc/machine-id"},
		changed: abs("etc/machine-id"),
		files:   map[string]string{"/etc/machine-id": "", "/var/lib/dbus/machine-id": "-> /etc/machine-id"},
	}, {
		name:    "uninitialized",
		guest:   rockyGuest(),
		plan:    &Plan{MachineID: MachineIDUninitialized},
		tree:    map[string]string{"etc/machine-id": id, "var/lib/dbus/machine-id": id},
		changed: abs("etc/machine-id", "var/lib/dbus/machine-id"),
		files:   map[string]string{"/etc/machine-id": "uninitialized\n", "/var/lib/dbus/machine-id": ""},
		modes:   map[string]iofs.FileMode{"/etc/machine-id": 0o444},
		notes:   []string{`set to "uninitialized"`},
	}, {
		name:    "uninitialized, file missing",
		guest:   debianGuest(),
		plan:    &Plan{MachineID: MachineIDUninitialized},
		created: abs("etc/machine-id"),
		files:   map[string]string{"/etc/machine-id": "uninitialized\n"},
		modes:   map[string]iofs.FileMode{"/etc/machine-id": 0o444},
	}, {
		name:  "symlink left alone",
		guest: debianGuest(),
		tree:  map[string]string{"etc/machine-id": "-> /run/machine-id"},
		notes: []string{"not a regular file"},
	}, {
		name:  "missing, empty mode: nothing created",
		guest: debianGuest(),
		notes: []string{"no /etc/machine-id"},
	}})
}
