package sysprep

import (
	"strings"
	"testing"
)

func TestCACertificates(t *testing.T) {
	certs := map[string]string{
		"etc/pki/tls/certs/ca-bundle.crt":       "kept",
		"etc/pki/tls/certs/ca-bundle.trust.crt": "kept",
		"etc/pki/tls/certs/localhost.crt":       "mine",
		"etc/pki/tls/private/localhost.key":     "secret",
		"etc/pki/CA/private/cakey.key":          "secret",
		"etc/pki/tls/certs/Makefile":            "kept",
		"etc/systemd/system/":                   "",
	}
	removed := abs("etc/pki/tls/certs/localhost.crt", "etc/pki/tls/private/localhost.key", "etc/pki/CA/private/cakey.key")
	unit := "/etc/systemd/system/sysprep-update-ca-trust.service"
	link := "/etc/systemd/system/multi-user.target.wants/sysprep-update-ca-trust.service"
	res := checkOp(t, "ca-certificates", opCase{
		guest:   rockyGuest(),
		tree:    certs,
		removed: removed,
		created: []string{unit, "/etc/systemd/system/multi-user.target.wants", link},
		files:   map[string]string{link: "-> " + unit},
		notes:   []string{"rebuilt at first boot"},
	})
	text := res.after[unit].Data
	for _, want := range []string{"ExecStart=/usr/bin/update-ca-trust extract\n", "Type=oneshot\n",
		"ExecStartPost=/bin/rm -f " + link + "\n", "WantedBy=multi-user.target\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("unit lacks %q:\n%s", want, text)
		}
	}
	if m := res.after[unit].Mode.Perm(); m != 0o644 {
		t.Errorf("unit mode %v", m)
	}

	res = checkOp(t, "ca-certificates", opCase{
		guest: debianGuest(),
		tree: map[string]string{
			"etc/pki/tls/certs/site.crt": "mine",
			"etc/systemd/system/":        "",
		},
		removed: abs("etc/pki/tls/certs/site.crt"),
		created: []string{unit, "/etc/systemd/system/multi-user.target.wants", link},
	})
	if !strings.Contains(res.after[unit].Data, "ExecStart=/usr/sbin/update-ca-certificates\n") {
		t.Errorf("debian unit:\n%s", res.after[unit].Data)
	}

	runCases(t, "ca-certificates", []opCase{{
		name:  "nothing removed: no unit",
		guest: rockyGuest(),
		tree:  map[string]string{"etc/pki/tls/certs/ca-bundle.crt": "kept", "etc/systemd/system/": ""},
	}, {
		name:     "no systemd: warning only",
		guest:    rockyGuest(),
		tree:     map[string]string{"etc/pki/tls/certs/x.crt": "mine"},
		removed:  abs("etc/pki/tls/certs/x.crt"),
		warnings: []string{"no systemd"},
	}, {
		name:     "other family: warning only",
		guest:    archGuest(),
		tree:     map[string]string{"etc/pki/tls/certs/x.crt": "mine", "etc/systemd/system/": ""},
		removed:  abs("etc/pki/tls/certs/x.crt"),
		warnings: []string{"does not know how"},
	}})
}

func TestFirstBootUnitSELinuxLabel(t *testing.T) {
	// On an SELinux guest the new unit, .wants directory and symlink get
	// /etc/systemd/system's label, so systemd may read them before relabel.
	tree := map[string]string{"etc/pki/tls/certs/x.crt": "mine", "etc/systemd/system/": ""}
	g := rockyGuest()
	fsys := newLabelledTree(t, tree, "/etc/systemd/system", "system_u:object_r:systemd_unit_file_t:s0")
	if _, err := runOn(t, g, fsys, "ca-certificates"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/etc/systemd/system/sysprep-update-ca-trust.service",
		"/etc/systemd/system/multi-user.target.wants",
		"/etc/systemd/system/multi-user.target.wants/sysprep-update-ca-trust.service",
	} {
		xs, err := fsys.GetXattrs(p)
		if err != nil || string(xs[selinuxXattr]) != "system_u:object_r:systemd_unit_file_t:s0" {
			t.Errorf("%s: xattrs %q, %v", p, xs, err)
		}
	}
}
