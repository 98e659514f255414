package guest

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

const testFileContexts = `/.*	system_u:object_r:default_t:s0
/[^/]+	--	system_u:object_r:etc_runtime_t:s0
/etc(/.*)?	system_u:object_r:etc_t:s0
/usr/bin(/.*)?	system_u:object_r:bin_t:s0
/root(/.*)?	system_u:object_r:admin_home_t:s0
/etc/cloud(/.*)?	system_u:object_r:cloud_etc_t:s0
/root/\.ssh(/.*)?	system_u:object_r:ssh_home_t:s0
`

func selinuxMounted(t *testing.T, tree testtool.Tree, ro bool) (*Mounted, fs.FS) {
	t.Helper()
	rootFS := testtool.MemFS(t, tree)
	m := &Mounted{Root: NewRoot(rootFS), readOnly: ro}
	if err := m.setupSELinux(); err != nil {
		t.Fatal(err)
	}
	return m, rootFS
}

func label(t *testing.T, f fs.FS, p string) string {
	t.Helper()
	x, err := f.GetXattrs(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(x["security.selinux"])
}

func TestSELinuxLabelsThroughRoot(t *testing.T) {
	m, rootFS := selinuxMounted(t, testtool.Tree{
		"etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
		"etc/selinux/targeted/contexts/files/file_contexts": testFileContexts,
		"bin":      "-> usr/bin",
		"usr/bin/": "",
		"root/":    "",
	}, false)
	if m.SELinux != "labels from /etc/selinux/targeted/contexts/files/file_contexts" {
		t.Fatalf("SELinux = %q", m.SELinux)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(fs.MkdirAll(m.Root, "/etc/cloud/cloud.cfg.d", 0o755))
	must(m.Root.WriteFile("/etc/cloud/cloud.cfg.d/99-x.cfg", []byte("x: 1\n"), 0o644))
	must(m.Root.Mkdir("/root/.ssh", 0o700))
	must(m.Root.WriteFile("/root/.ssh/authorized_keys", []byte("k\n"), 0o600))
	must(m.Root.WriteFile("/bin/tool", []byte("#!/bin/sh\n"), 0o755)) // via the /bin link
	must(m.Root.Symlink("/usr/share/zoneinfo/UTC", "/etc/localtime"))
	for p, want := range map[string]string{
		"/etc/cloud":                      "system_u:object_r:cloud_etc_t:s0\x00",
		"/etc/cloud/cloud.cfg.d/99-x.cfg": "system_u:object_r:cloud_etc_t:s0\x00",
		"/root/.ssh":                      "system_u:object_r:ssh_home_t:s0\x00",
		"/root/.ssh/authorized_keys":      "system_u:object_r:ssh_home_t:s0\x00",
		"/usr/bin/tool":                   "system_u:object_r:bin_t:s0\x00",
		"/etc/localtime":                  "system_u:object_r:etc_t:s0\x00",
	} {
		if got := label(t, rootFS, p); got != want {
			t.Errorf("%s labelled %q, want %q", p, got, want)
		}
	}
	must(m.Close())
	if ok, _ := fs.Exists(rootFS, "/.autorelabel"); ok {
		t.Error("/.autorelabel created although labels were set")
	}
}

func TestSELinuxRelabelFallback(t *testing.T) {
	tree := testtool.Tree{"etc/selinux/config": "SELINUX=permissive\n", "etc/hostname": "h\n"}
	for _, c := range []struct {
		name   string
		ro     bool
		create bool
		want   bool
	}{
		{"writable, created", false, true, true},
		{"writable, nothing created", false, false, false},
		{"read-only", true, false, false},
	} {
		m, rootFS := selinuxMounted(t, tree, c.ro)
		if m.SELinux != "relabel on first boot (policy unreadable)" {
			t.Fatalf("%s: SELinux = %q", c.name, m.SELinux)
		}
		if c.create {
			if err := m.Root.WriteFile("/etc/new", []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if !c.ro {
			// Replacing a file is not a create.
			if err := m.Root.WriteFile("/etc/hostname", []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if ok, _ := fs.Exists(rootFS, "/.autorelabel"); ok != c.want {
			t.Errorf("%s: /.autorelabel exists = %v, want %v", c.name, ok, c.want)
		}
	}
}

func TestSELinuxNotEnabled(t *testing.T) {
	for _, tree := range []testtool.Tree{
		{"etc/hostname": "h"},
		{"etc/selinux/config": "SELINUX=disabled\nSELINUXTYPE=targeted\n"},
	} {
		m, rootFS := selinuxMounted(t, tree, false)
		if m.SELinux != "" || m.Root.onCreate != nil {
			t.Errorf("%v: SELinux = %q", tree, m.SELinux)
		}
		if err := m.Root.WriteFile("/etc/new", []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if x := label(t, rootFS, "/etc/new"); x != "" {
			t.Errorf("labelled %q in a non-SELinux guest", x)
		}
		m.Close()
		if ok, _ := fs.Exists(rootFS, "/.autorelabel"); ok {
			t.Error("/.autorelabel in a non-SELinux guest")
		}
	}
}
