package sysprep

import (
	"reflect"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// cloudInitRockyDefaults is the Rocky guide's 99-custom-defaults.cfg.
func cloudInitRockyDefaults() *cloudinit.Config {
	f := false
	return &cloudinit.Config{
		FileName:    "99-custom-defaults.cfg",
		DefaultUser: &cloudinit.DefaultUser{Name: "admin", Sudo: []string{"ALL=(ALL) NOPASSWD:ALL"}, Shell: "/bin/bash"},
		SSHPwauth:   &f,
		Packages:    []string{"htop", "vim-enhanced"},
	}
}

func cloudInitConfigPlan(c *cloudinit.Config) *Plan {
	return &Plan{Operations: []string{"cloud-init-config"}, CloudInit: c}
}

func TestCloudInitConfigWritesDropIn(t *testing.T) {
	tree := testtool.Tree{"etc/cloud/cloud.cfg": "users: [default]\n"}
	c := cloudInitRockyDefaults()
	r, f, warns := cloudInitRun(t, tree, cloudInitConfigPlan(c))
	const p = "/etc/cloud/cloud.cfg.d/99-custom-defaults.cfg"
	if want := []string{"/etc/cloud/cloud.cfg.d", p}; !reflect.DeepEqual(r.Created, want) || len(r.Changed)+len(r.Removed) != 0 {
		t.Errorf("report %+v, want Created %q", r, want)
	}
	want, _ := c.Render()
	got, err := fs.ReadFile(f, p)
	if err != nil || string(got) != string(want) {
		t.Errorf("%s = %q, %v; want %q", p, got, err, want)
	}
	st, _ := f.Lstat(p)
	dir, _ := f.Lstat("/etc/cloud/cloud.cfg.d")
	if st.Mode.Perm() != 0o644 || st.Uid != 0 || st.Gid != 0 || dir.Mode.Perm() != 0o755 || !dir.IsDir() {
		t.Errorf("drop-in mode %v owner %d:%d, dir mode %v", st.Mode, st.Uid, st.Gid, dir.Mode)
	}
	if len(warns) != 0 {
		t.Errorf("warnings %q", warns)
	}
	// Idempotent.
	rep, _ := cloudInitRunOn(t, f, cloudInitConfigPlan(c))
	if r2 := rep.Operations[0]; len(r2.Removed)+len(r2.Changed)+len(r2.Created) != 0 || !strings.Contains(strings.Join(r2.Notes, ";"), "already up to date") {
		t.Errorf("second run: %+v", r2)
	}
}

func TestCloudInitConfigWarnings(t *testing.T) {
	c := cloudInitRockyDefaults()
	c.FinalModules = []string{}
	tree := testtool.Tree{"etc/hostname": "x\n"} // no cloud-init at all
	r, f, warns := cloudInitRun(t, tree, cloudInitConfigPlan(c))
	if len(warns) != 2 || !strings.Contains(warns[0], "would never install them") || !strings.Contains(warns[1], "will have no effect") {
		t.Errorf("warnings %q", warns)
	}
	if ok, _ := fs.Exists(f, c.Path()); !ok {
		t.Errorf("%s not written", c.Path())
	}
	if want := []string{"/etc/cloud", "/etc/cloud/cloud.cfg.d", c.Path()}; !reflect.DeepEqual(r.Created, want) {
		t.Errorf("Created %q, want %q", r.Created, want)
	}
}

func TestCloudInitConfigShadowedByLaterDropIn(t *testing.T) {
	tree := testtool.Tree{
		"etc/cloud/cloud.cfg":                    "users: [default]\n",
		"etc/cloud/cloud.cfg.d/99-zz-vendor.cfg": "ssh_pwauth: true\nsystem_info:\n  default_user:\n    shell: /bin/zsh\n    gecos: Vendor\n",
		"etc/cloud/cloud.cfg.d/10-early.cfg":     "ssh_pwauth: true\n", // read before ours: ours wins
	}
	_, _, warns := cloudInitRun(t, tree, cloudInitConfigPlan(cloudInitRockyDefaults()))
	want := "/etc/cloud/cloud.cfg.d/99-zz-vendor.cfg is read after 99-custom-defaults.cfg and also sets system_info.default_user.shell, ssh_pwauth: its values win"
	if len(warns) != 1 || !strings.Contains(warns[0], want) {
		t.Errorf("warnings %q, want %q", warns, want)
	}
}

func TestCloudInitConfigReplacesFile(t *testing.T) {
	c := cloudInitRockyDefaults()
	tree := testtool.Tree{"etc/cloud/cloud.cfg": "users: [default]\n", "etc/cloud/cloud.cfg.d/99-custom-defaults.cfg": "ssh_pwauth: true\n"}
	f := testtool.MemFS(t, tree)
	if err := f.Chmod(c.Path(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Lchown(c.Path(), 1000, 1000); err != nil {
		t.Fatal(err)
	}
	rep, _ := cloudInitRunOn(t, f, cloudInitConfigPlan(c))
	if r := rep.Operations[0]; !reflect.DeepEqual(r.Changed, []string{c.Path()}) || len(r.Created) != 0 {
		t.Errorf("report %+v, want only %s changed", r, c.Path())
	}
	st, _ := f.Lstat(c.Path())
	if st.Mode.Perm() != 0o644 || st.Uid != 0 || st.Gid != 0 {
		t.Errorf("mode %v owner %d:%d, want 0644 0:0", st.Mode.Perm(), st.Uid, st.Gid)
	}

	// A directory in the way is refused, not replaced.
	tree["etc/cloud/cloud.cfg.d/99-custom-defaults.cfg/"] = ""
	delete(tree, "etc/cloud/cloud.cfg.d/99-custom-defaults.cfg")
	f = testtool.MemFS(t, tree)
	if _, err := Run(t.Context(), cloudInitGuest(), f, cloudInitConfigPlan(c), RunOptions{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Run = %v, want a refusal", err)
	}
}

func TestCloudInitConfigNothingWithoutConfig(t *testing.T) {
	r, _, warns := cloudInitRun(t, cloudInitTree(), cloudInitConfigPlan(nil))
	if len(r.Removed)+len(r.Changed)+len(r.Created)+len(r.Notes)+len(warns) != 0 {
		t.Errorf("without Plan.CloudInit: %+v %q", r, warns)
	}
}

// TestCloudInitOrder: the clean runs first, then the drop-in is written
// (so a clean never undoes it), then customize.
func TestCloudInitOrder(t *testing.T) {
	plan := &Plan{
		Operations:     []string{"customize", "cloud-init-config", "cloud-init"},
		CloudInit:      cloudInitRockyDefaults(),
		CloudInitClean: cloudinit.DefaultCleanOptions(),
		MachineID:      MachineIDEmpty,
	}
	f := testtool.MemFS(t, cloudInitTree())
	rep, _ := cloudInitRunOn(t, f, plan)
	var names []string
	for _, o := range rep.Operations {
		names = append(names, o.Name)
	}
	if want := []string{"cloud-init", "cloud-init-config", "customize"}; !reflect.DeepEqual(names, want) {
		t.Errorf("run order %q, want %q", names, want)
	}
	if ok, _ := fs.Exists(f, plan.CloudInit.Path()); !ok {
		t.Error("drop-in missing after the full run")
	}
}

// TestCloudInitConfigSELinuxLabel: on an SELinux guest the new directory
// and drop-in take /etc/cloud's label; an existing label is kept.
func TestCloudInitConfigSELinuxLabel(t *testing.T) {
	const etcT = "system_u:object_r:etc_t:s0\x00"
	f := testtool.MemFS(t, testtool.Tree{"etc/cloud/cloud.cfg": "users: [default]\n", "etc/cloud/cloud.cfg.d/other.cfg": "{}\n"})
	if err := f.SetXattr("/etc/cloud", "security.selinux", []byte(etcT)); err != nil {
		t.Fatal(err)
	}
	if err := f.SetXattr("/etc/cloud/cloud.cfg.d", "security.selinux", []byte("system_u:object_r:cloud_etc_t:s0\x00")); err != nil {
		t.Fatal(err)
	}
	c := cloudInitRockyDefaults()
	rep, _ := cloudInitRunOn(t, f, cloudInitConfigPlan(c))
	if r := rep.Operations[0]; !reflect.DeepEqual(r.Created, []string{c.Path()}) || len(r.Changed) != 0 {
		t.Errorf("report %+v", r)
	}
	xs, err := f.GetXattrs(c.Path())
	if err != nil || string(xs["security.selinux"]) != "system_u:object_r:cloud_etc_t:s0\x00" {
		t.Errorf("drop-in label %q, %v; want the directory's", xs["security.selinux"], err)
	}
	ds, _ := f.GetXattrs("/etc/cloud/cloud.cfg.d")
	if string(ds["security.selinux"]) != "system_u:object_r:cloud_etc_t:s0\x00" {
		t.Errorf("the directory's own label was replaced: %q", ds["security.selinux"])
	}

	// A new cloud.cfg.d inherits /etc/cloud's label, and so does the file.
	f = testtool.MemFS(t, testtool.Tree{"etc/cloud/cloud.cfg": "users: [default]\n"})
	if err := f.SetXattr("/etc/cloud", "security.selinux", []byte(etcT)); err != nil {
		t.Fatal(err)
	}
	cloudInitRunOn(t, f, cloudInitConfigPlan(c))
	for _, p := range []string{"/etc/cloud/cloud.cfg.d", c.Path()} {
		if xs, _ := f.GetXattrs(p); string(xs["security.selinux"]) != etcT {
			t.Errorf("%s label %q, want %q", p, xs["security.selinux"], etcT)
		}
	}
}
