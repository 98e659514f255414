package sysprep

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// cloudInitTree is a Rocky 9 guest after its first boot under cloud-init.
func cloudInitTree() testtool.Tree {
	return testtool.Tree{
		"etc/os-release":                         "ID=rocky\n",
		"etc/machine-id":                         "0123456789abcdef0123456789abcdef\n",
		"etc/cloud/cloud.cfg":                    "users: [default]\n",
		"etc/cloud/cloud.cfg.d/05_logging.cfg":   "output: {all: '| tee -a /var/log/cloud-init-output.log'}\n",
		"usr/bin/cloud-init":                     "#!/usr/bin/python3\n",
		"var/log/cloud-init.log":                 "log\n",
		"var/log/cloud-init.log.1":               "old log\n",
		"var/log/cloud-init-output.log":          "output\n",
		"var/log/messages":                       "kept\n",
		"var/lib/cloud/instance":                 "-> /var/lib/cloud/instances/i-0abc",
		"var/lib/cloud/instances/i-0abc/obj.pkl": "pickle",
		"var/lib/cloud/data/instance-id":         "i-0abc\n",
		"var/lib/cloud/seed/nocloud/user-data":   "#cloud-config\n",
		"etc/netplan/50-cloud-init.yaml":         "network: {}\n",
	}
}

func cloudInitGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "rocky", Family: guest.FamilyRHEL, VersionID: "9.4", Major: 9, Minor: 4}
}

// cloudInitRun runs plan on a fresh MemFS of tree and returns the report
// of the single operation run, the FS and the warnings.
func cloudInitRun(t *testing.T, tree testtool.Tree, plan *Plan) (OpReport, fs.FS, []string) {
	t.Helper()
	f := testtool.MemFS(t, tree)
	rep, warns := cloudInitRunOn(t, f, plan)
	if len(rep.Operations) != 1 {
		t.Fatalf("report has %d operations, want 1", len(rep.Operations))
	}
	return rep.Operations[0], f, warns
}

func cloudInitRunOn(t *testing.T, f fs.FS, plan *Plan) (*Report, []string) {
	t.Helper()
	var warns []string
	rep, err := Run(context.Background(), cloudInitGuest(), f, plan, RunOptions{
		Warnf: func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) },
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep, warns
}

func cloudInitPlan(o cloudinit.CleanOptions, mode MachineIDMode) *Plan {
	return &Plan{Operations: []string{"cloud-init"}, CloudInitClean: o, MachineID: mode}
}

var (
	cloudInitLogs  = []string{"/var/log/cloud-init-output.log", "/var/log/cloud-init.log", "/var/log/cloud-init.log.1"}
	cloudInitState = []string{"/var/lib/cloud/data", "/var/lib/cloud/data/instance-id", "/var/lib/cloud/instance",
		"/var/lib/cloud/instances", "/var/lib/cloud/instances/i-0abc", "/var/lib/cloud/instances/i-0abc/obj.pkl"}
	cloudInitSeed = []string{"/var/lib/cloud/seed", "/var/lib/cloud/seed/nocloud", "/var/lib/cloud/seed/nocloud/user-data"}
)

func TestCloudInitOperation(t *testing.T) {
	cases := []struct {
		name    string
		o       cloudinit.CleanOptions
		mode    MachineIDMode
		removed []string
		changed []string
		machine string // /etc/machine-id afterwards
		notes   []string
	}{
		{"defaults", cloudinit.DefaultCleanOptions(), MachineIDEmpty,
			cloudInitSorted(cloudInitLogs, cloudInitState, cloudInitSeed), []string{"/etc/machine-id"}, "",
			[]string{"machine-id: empty"}},
		{"uninitialized machine-id", cloudinit.DefaultCleanOptions(), MachineIDUninitialized,
			cloudInitSorted(cloudInitLogs, cloudInitState, cloudInitSeed), []string{"/etc/machine-id"}, "uninitialized\n",
			[]string{`machine-id: "uninitialized"`}},
		{"seed kept", cloudinit.CleanOptions{Logs: true, MachineID: true}, "",
			cloudInitSorted(cloudInitLogs, cloudInitState), []string{"/etc/machine-id"}, "",
			[]string{"/var/lib/cloud/seed kept", "machine-id: empty"}},
		{"logs kept", cloudinit.CleanOptions{Seed: true}, "",
			cloudInitSorted(cloudInitState, cloudInitSeed), nil, "0123456789abcdef0123456789abcdef\n", nil},
		{"network configs", cloudinit.CleanOptions{Seed: true, Configs: []string{"network"}}, "",
			cloudInitSorted(cloudInitState, cloudInitSeed, []string{"/etc/netplan/50-cloud-init.yaml"}), nil, "0123456789abcdef0123456789abcdef\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, f, warns := cloudInitRun(t, cloudInitTree(), cloudInitPlan(tc.o, tc.mode))
			if !reflect.DeepEqual(r.Removed, tc.removed) {
				t.Errorf("report Removed:\n%s\nwant:\n%s", strings.Join(r.Removed, "\n"), strings.Join(tc.removed, "\n"))
			}
			if !reflect.DeepEqual(r.Changed, cloudInitNonNil(tc.changed)) || len(r.Created) != 0 {
				t.Errorf("report Changed %q Created %q, want Changed %q", r.Changed, r.Created, tc.changed)
			}
			for _, p := range r.Removed {
				if ok, _ := fs.Exists(f, p); ok {
					t.Errorf("%s reported removed but exists", p)
				}
			}
			for _, p := range []string{"/var/lib/cloud", "/var/log/messages", "/etc/cloud/cloud.cfg"} {
				if ok, _ := fs.Exists(f, p); !ok {
					t.Errorf("%s was removed", p)
				}
			}
			mid, err := fs.ReadFile(f, "/etc/machine-id")
			if err != nil || string(mid) != tc.machine {
				t.Errorf("/etc/machine-id = %q, %v; want %q", mid, err, tc.machine)
			}
			if tc.mode == MachineIDUninitialized {
				if st, _ := f.Lstat("/etc/machine-id"); st.Mode.Perm() != 0o444 {
					t.Errorf("/etc/machine-id mode %v, want 0444", st.Mode.Perm())
				}
			}
			if len(r.Notes) != len(tc.notes) {
				t.Errorf("notes %q, want %q", r.Notes, tc.notes)
			}
			for i := 0; i < len(r.Notes) && i < len(tc.notes); i++ {
				if !strings.Contains(r.Notes[i], tc.notes[i]) {
					t.Errorf("note %q, want it to contain %q", r.Notes[i], tc.notes[i])
				}
			}
			if len(warns) != 0 {
				t.Errorf("warnings %q", warns)
			}
			// Idempotent: a second run reports nothing.
			rep, _ := cloudInitRunOn(t, f, cloudInitPlan(tc.o, tc.mode))
			if r2 := rep.Operations[0]; len(r2.Removed)+len(r2.Changed)+len(r2.Created) != 0 {
				t.Errorf("second run: %+v", r2)
			}
		})
	}
}

func TestCloudInitOperationSkipsGuestWithoutCloudInit(t *testing.T) {
	tree := testtool.Tree{
		"etc/os-release":         "ID=rocky\n",
		"etc/machine-id":         "0123456789abcdef0123456789abcdef\n",
		"var/log/cloud-init.log": "stale",
	}
	r, f, warns := cloudInitRun(t, tree, cloudInitPlan(cloudinit.DefaultCleanOptions(), MachineIDEmpty))
	if len(r.Removed)+len(r.Changed)+len(r.Created) != 0 || len(r.Notes) != 0 || len(warns) != 0 {
		t.Errorf("changed a guest without cloud-init: %+v %q", r, warns)
	}
	if mid, _ := fs.ReadFile(f, "/etc/machine-id"); len(mid) == 0 {
		t.Error("machine-id emptied on a guest without cloud-init")
	}
}

func TestCloudInitOperationCleanScriptsAndMachineIDSymlink(t *testing.T) {
	tree := cloudInitTree()
	tree["etc/cloud/clean.d/10-agent"] = "#!/bin/sh\nrm -f /var/lib/agent/id\n"
	tree["etc/machine-id"] = "-> /run/machine-id"
	f := testtool.MemFS(t, tree)
	if err := f.Chmod("/etc/cloud/clean.d/10-agent", 0o755); err != nil {
		t.Fatal(err)
	}
	rep, warns := cloudInitRunOn(t, f, cloudInitPlan(cloudinit.DefaultCleanOptions(), MachineIDEmpty))
	r := rep.Operations[0]
	if len(warns) != 2 || !strings.Contains(warns[0], "/etc/cloud/clean.d/10-agent") || !strings.Contains(warns[0], "run in the guest") ||
		!strings.Contains(warns[1], "/etc/machine-id is not a regular file") {
		t.Errorf("warnings %q", warns)
	}
	if target, _ := f.Readlink("/etc/machine-id"); target != "/run/machine-id" || len(r.Changed) != 0 {
		t.Errorf("machine-id symlink changed: %q, Changed %q", target, r.Changed)
	}
	if len(r.Notes) != 2 || !strings.Contains(r.Notes[0], "not run (guest code): /etc/cloud/clean.d/10-agent") {
		t.Errorf("notes %q", r.Notes)
	}
}

func cloudInitSorted(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.Strings(out)
	return out
}

func cloudInitNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cloudInitFileImage is a host file as a writable image.Image.
type cloudInitFileImage struct {
	f    *os.File
	size int64
}

func (i *cloudInitFileImage) ReadAt(p []byte, off int64) (int, error)  { return i.f.ReadAt(p, off) }
func (i *cloudInitFileImage) WriteAt(p []byte, off int64) (int, error) { return i.f.WriteAt(p, off) }
func (i *cloudInitFileImage) Size() int64                              { return i.size }
func (i *cloudInitFileImage) Close() error                             { return i.f.Close() }

// TestCloudInitOnExt4 runs both cloud-init operations through the real
// ext4 engine on an image made by mkfs.ext4, then checks it with e2fsck and
// reads the result back with debugfs.
func TestCloudInitOnExt4(t *testing.T) {
	testtool.Need(t, "mkfs.ext4", "e2fsck", "debugfs")
	img := testtool.MkfsExt4(t, cloudInitTree(), "16M")
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	vol := &cloudInitFileImage{f: f, size: st.Size()}
	defer vol.Close()
	root, err := ext4.Open(vol, fs.OpenOptions{Name: "cloud-init.img"})
	if err != nil {
		t.Fatal(err)
	}
	c := cloudInitRockyDefaults()
	plan := &Plan{
		Operations:     []string{"cloud-init", "cloud-init-config"},
		CloudInit:      c,
		CloudInitClean: cloudinit.DefaultCleanOptions(),
		MachineID:      MachineIDUninitialized,
	}
	rep, err := Run(t.Context(), cloudInitGuest(), root, plan, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Close(); err != nil {
		t.Fatal(err)
	}
	testtool.Fsck(t, "ext4", img)

	if want := cloudInitSorted(cloudInitLogs, cloudInitState, cloudInitSeed); !reflect.DeepEqual(rep.Operations[0].Removed, want) {
		t.Errorf("cloud-init removed %q, want %q", rep.Operations[0].Removed, want)
	}
	ls := testtool.Debugfs(t, img, "ls -l /var/lib/cloud")
	for _, gone := range []string{"instance", "instances", "data", "seed"} {
		if strings.Contains(ls, " "+gone+"\n") || strings.Contains(ls, " "+gone+" ") {
			t.Errorf("/var/lib/cloud still lists %s:\n%s", gone, ls)
		}
	}
	logs := testtool.Debugfs(t, img, "ls /var/log")
	if strings.Contains(logs, "cloud-init") || !strings.Contains(logs, "messages") {
		t.Errorf("/var/log after clean: %s", logs)
	}
	testtool.WantDebugfs(t, img, "cat /etc/machine-id", "uninitialized\n")
	if stat := testtool.Debugfs(t, img, "stat /etc/machine-id"); !strings.Contains(stat, "Mode:  0444") {
		t.Errorf("/etc/machine-id: %s", stat)
	}
	want, _ := c.Render()
	testtool.WantDebugfs(t, img, "cat "+c.Path(), string(want))
	if stat := testtool.Debugfs(t, img, "stat "+c.Path()); !strings.Contains(stat, "Mode:  0644") || !strings.Contains(stat, "User:     0   Group:     0") {
		t.Errorf("%s: %s", c.Path(), stat)
	}
}
