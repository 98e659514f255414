package cloudinit

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

const fstabWithCloudconfig = "UUID=1234 / xfs defaults 0 0\n" +
	"/dev/vdb /mnt auto defaults,nofail,x-systemd.after=cloud-init.service,_netdev,comment=cloudconfig 0 2\n" +
	"/swap.img none swap sw,comment=cloudconfig 0 0\n" +
	"tmpfs /tmp tmpfs defaults 0 0\n"

// cloudGuest is a Rocky-like guest after its first boot under cloud-init.
func cloudGuest(t *testing.T) *memfs.FS {
	t.Helper()
	f := testtool.MemFS(t, testtool.Tree{
		"etc/cloud/cloud.cfg":                                                "system_info:\n  distro: rhel\n  paths:\n    cloud_dir: /var/lib/cloud/\n",
		"etc/cloud/cloud.cfg.d/05_logging.cfg":                               "output: {all: '| tee -a /var/log/cloud-init-output.log'}\n",
		"etc/cloud/cloud.cfg.d/README":                                       "def_log_file: /nowhere\n", // not *.cfg: ignored
		"etc/cloud/clean.d/10-reset-agent":                                   "#!/bin/sh\n",
		"etc/cloud/clean.d/README":                                           "not executable\n",
		"var/log/cloud-init.log":                                             "log\n",
		"var/log/cloud-init.log.1":                                           "old\n",
		"var/log/cloud-init.log-20240101.gz":                                 "gz\n",
		"var/log/cloud-init.log.d/":                                          "",
		"var/log/cloud-init.log.link":                                        "-> cloud-init.log.1",
		"var/log/cloud-init-output.log":                                      "out\n",
		"var/log/messages":                                                   "kept\n",
		"var/lib/cloud/instance":                                             "-> /var/lib/cloud/instances/i-0abc",
		"var/lib/cloud/instances/i-0abc/obj.pkl":                             "pickle",
		"var/lib/cloud/instances/i-0abc/user-data.txt":                       "#cloud-config\n",
		"var/lib/cloud/data/status.json":                                     "{}",
		"var/lib/cloud/data/instance-id":                                     "i-0abc\n",
		"var/lib/cloud/scripts/per-boot/":                                    "",
		"var/lib/cloud/seed/nocloud/user-data":                               "#cloud-config\n",
		"var/lib/cloud/seed/nocloud/meta-data":                               "instance-id: i-0abc\n",
		"var/lib/cloud/.keep":                                                "",
		"etc/netplan/50-cloud-init.yaml":                                     "network: {}\n",
		"etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection": "[connection]\n",
		"etc/NetworkManager/system-connections/office.nmconnection":          "[connection]\n",
		"etc/NetworkManager/conf.d/99-cloud-init.conf":                       "[main]\n",
		"etc/systemd/network/10-cloud-init-eth0.network":                     "[Match]\n",
		"etc/ssh/sshd_config.d/50-cloud-init.conf":                           "PasswordAuthentication no\n",
		"etc/ssh/sshd_config.d/40-site.conf":                                 "X11Forwarding no\n",
		"etc/fstab":                                                          fstabWithCloudconfig,
	})
	if err := f.Chmod("/etc/cloud/clean.d/10-reset-agent", 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	removedLogs = []string{
		"/var/log/cloud-init-output.log",
		"/var/log/cloud-init.log",
		"/var/log/cloud-init.log-20240101.gz",
		"/var/log/cloud-init.log.1",
	}
	removedState = []string{
		"/var/lib/cloud/data/instance-id",
		"/var/lib/cloud/data/status.json",
		"/var/lib/cloud/data",
		"/var/lib/cloud/instance",
		"/var/lib/cloud/instances/i-0abc/obj.pkl",
		"/var/lib/cloud/instances/i-0abc/user-data.txt",
		"/var/lib/cloud/instances/i-0abc",
		"/var/lib/cloud/instances",
		"/var/lib/cloud/scripts/per-boot",
		"/var/lib/cloud/scripts",
	}
	removedSeed = []string{
		"/var/lib/cloud/seed/nocloud/meta-data",
		"/var/lib/cloud/seed/nocloud/user-data",
		"/var/lib/cloud/seed/nocloud",
		"/var/lib/cloud/seed",
	}
	removedNet = []string{
		"/etc/NetworkManager/conf.d/99-cloud-init.conf",
		"/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection",
		"/etc/netplan/50-cloud-init.yaml",
		"/etc/systemd/network/10-cloud-init-eth0.network",
	}
	removedSSH = []string{"/etc/ssh/sshd_config.d/50-cloud-init.conf"}
)

func sorted(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.Strings(out)
	return out
}

func TestCleanOptions(t *testing.T) {
	cases := []struct {
		name        string
		o           CleanOptions
		removed     []string
		fstabEdited bool
		seedKept    bool
	}{
		{"defaults (logs, seed)", DefaultCleanOptions(), sorted(removedLogs, removedState, removedSeed), false, false},
		{"no options", CleanOptions{}, sorted(removedState), false, true},
		{"logs only", CleanOptions{Logs: true}, sorted(removedLogs, removedState), false, true},
		{"seed only", CleanOptions{Seed: true}, sorted(removedState, removedSeed), false, false},
		{"configs network", CleanOptions{Configs: []string{"network"}}, sorted(removedState, removedNet), false, true},
		{"configs ssh_config", CleanOptions{Configs: []string{"ssh_config"}}, sorted(removedState, removedSSH), false, true},
		{"configs fstab", CleanOptions{Configs: []string{"fstab"}}, sorted(removedState), true, true},
		{"configs all", CleanOptions{Logs: true, Seed: true, Configs: []string{"all"}}, sorted(removedLogs, removedState, removedSeed, removedNet, removedSSH), true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := cloudGuest(t)
			before := snapshot(t, f)
			r, err := Clean(f, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			got := append([]string(nil), r.Removed...)
			sort.Strings(got)
			if !reflect.DeepEqual(got, tc.removed) {
				t.Errorf("Removed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.removed, "\n"))
			}
			// The tree now lacks exactly the removed paths.
			after := snapshot(t, f)
			for _, p := range tc.removed {
				if _, ok := after[p]; ok {
					t.Errorf("%s still exists", p)
				}
				delete(before, p)
			}
			fstab, _ := fs.ReadFile(f, "/etc/fstab")
			if tc.fstabEdited {
				want := "UUID=1234 / xfs defaults 0 0\ntmpfs /tmp tmpfs defaults 0 0\n"
				if string(fstab) != want || !reflect.DeepEqual(r.Changed, []string{"/etc/fstab"}) {
					t.Errorf("fstab = %q, Changed %q; want %q", fstab, r.Changed, want)
				}
				delete(before, "/etc/fstab")
				delete(after, "/etc/fstab")
			} else if string(fstab) != fstabWithCloudconfig || len(r.Changed) != 0 {
				t.Errorf("fstab changed without --configs fstab: %q", fstab)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("other paths changed:\nbefore %v\nafter  %v", before, after)
			}
			if r.SeedKept != tc.seedKept || r.AlreadyClean || r.CloudDir != "/var/lib/cloud" {
				t.Errorf("SeedKept %v AlreadyClean %v CloudDir %q", r.SeedKept, r.AlreadyClean, r.CloudDir)
			}
			if !reflect.DeepEqual(r.CleanScripts, []string{"/etc/cloud/clean.d/10-reset-agent"}) {
				t.Errorf("CleanScripts = %q", r.CleanScripts)
			}
			for _, kept := range []string{"/var/lib/cloud", "/var/lib/cloud/.keep", "/var/log/cloud-init.log.d", "/var/log/cloud-init.log.link", "/var/log/messages"} {
				if _, ok := after[kept]; !ok {
					t.Errorf("%s was removed", kept)
				}
			}
			// Idempotent: a second run removes nothing.
			r2, err := Clean(f, tc.o)
			if err != nil || len(r2.Removed) != 0 || len(r2.Changed) != 0 {
				t.Errorf("second Clean: removed %q changed %q, %v", r2.Removed, r2.Changed, err)
			}
		})
	}
}

// TestCleanLogFilesFromConfig: def_log_file and output come from the merged
// config, later cloud.cfg.d files winning.
func TestCleanLogFilesFromConfig(t *testing.T) {
	f := testtool.MemFS(t, testtool.Tree{
		"etc/cloud/cloud.cfg":                  "def_log_file: /var/log/ci-main.log\noutput: {all: '>> /var/log/ci-out.log'}\n",
		"etc/cloud/cloud.cfg.d/05_logging.cfg": "output: {all: '| tee -a /var/log/cloud-init-output.log'}\n",
		"etc/cloud/cloud.cfg.d/50_site.cfg":    "def_log_file: /var/log/site/ci.log\noutput:\n  init: '> /var/log/init-only.log'\n  all: [ '> /var/log/site/out.log', '&1' ]\n",
		"etc/cloud/cloud.cfg.d/60_broken.cfg":  "def_log_file: [unclosed\n",
		"var/log/ci-main.log":                  "x",
		"var/log/ci-out.log":                   "x",
		"var/log/cloud-init.log":               "x",
		"var/log/cloud-init-output.log":        "x",
		"var/log/init-only.log":                "x",
		"var/log/site/ci.log":                  "x",
		"var/log/site/ci.log.2.gz":             "x",
		"var/log/site/out.log":                 "x",
	})
	r, err := Clean(f, CleanOptions{Logs: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/var/log/site/ci.log", "/var/log/site/ci.log.2.gz", "/var/log/site/out.log"}
	if !reflect.DeepEqual(r.Removed, want) {
		t.Errorf("Removed %q, want %q", r.Removed, want)
	}
	if !r.AlreadyClean || len(r.CleanScripts) != 0 {
		t.Errorf("AlreadyClean %v CleanScripts %q: no /var/lib/cloud here", r.AlreadyClean, r.CleanScripts)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "60_broken.cfg: not valid YAML") {
		t.Errorf("Warnings = %q", r.Warnings)
	}
}

func TestCleanDefaultsWithoutConfig(t *testing.T) {
	f := testtool.MemFS(t, testtool.Tree{
		"var/log/cloud-init.log":         "x",
		"var/log/cloud-init-output.log":  "x",
		"var/lib/cloud/data/result.json": "{}",
		"srv/cloud/data/keep":            "x",
	})
	r, err := Clean(f, DefaultCleanOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/var/log/cloud-init.log", "/var/log/cloud-init-output.log", "/var/lib/cloud/data/result.json", "/var/lib/cloud/data"}
	if !reflect.DeepEqual(r.Removed, want) {
		t.Errorf("Removed %q, want %q", r.Removed, want)
	}

	// A cloud_dir moved by the config.
	f = testtool.MemFS(t, testtool.Tree{
		"etc/cloud/cloud.cfg":  "system_info:\n  paths:\n    cloud_dir: /srv/cloud\n",
		"srv/cloud/data/x":     "x",
		"var/lib/cloud/data/y": "y",
	})
	if r, err = Clean(f, CleanOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/srv/cloud/data/x", "/srv/cloud/data"}; !reflect.DeepEqual(r.Removed, want) || r.CloudDir != "/srv/cloud" {
		t.Errorf("Removed %q CloudDir %q, want %q under /srv/cloud", r.Removed, r.CloudDir, want)
	}
}

func TestCleanRejectsBadOptions(t *testing.T) {
	f := cloudGuest(t)
	before := snapshot(t, f)
	if _, err := Clean(f, CleanOptions{Logs: true, Configs: []string{"everything"}}); err == nil {
		t.Fatal("Clean accepted configs: everything")
	}
	if after := snapshot(t, f); !reflect.DeepEqual(before, after) {
		t.Error("a refused Clean changed the guest")
	}
}

// snapshot maps every path of the tree to its type and content.
func snapshot(t *testing.T, f fs.FS) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		v := st.Mode.String()
		if st.IsRegular() {
			b, _ := fs.ReadFile(f, p)
			v += " " + string(b)
		}
		m[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCleanRefusesSystemPaths: a guest config pointing clean at system
// directories is not obeyed.
func TestCleanRefusesSystemPaths(t *testing.T) {
	for _, dir := range []string{"/", "/etc", "/var/lib", "/usr/lib/cloud", "/var"} {
		f := testtool.MemFS(t, testtool.Tree{
			"etc/cloud/cloud.cfg": "system_info:\n  paths:\n    cloud_dir: " + dir + "\n",
			"var/lib/cloud/x":     "x",
		})
		before := snapshot(t, f)
		_, err := Clean(f, DefaultCleanOptions())
		if err == nil || !strings.Contains(err.Error(), "refusing to empty cloud_dir") {
			t.Errorf("cloud_dir %s: Clean = %v, want a refusal", dir, err)
		}
		if !reflect.DeepEqual(before, snapshot(t, f)) {
			t.Errorf("cloud_dir %s: the guest changed", dir)
		}
	}
	f := testtool.MemFS(t, testtool.Tree{
		"etc/cloud/cloud.cfg": "def_log_file: /etc/cloud/cloud\noutput: {all: '>> /usr/lib/x.log'}\n",
		"usr/lib/x.log":       "x",
	})
	r, err := Clean(f, CleanOptions{Logs: true})
	if err != nil || len(r.Removed) != 0 || len(r.Warnings) != 2 || !strings.Contains(r.Warnings[0], "/etc/cloud/cloud is in a system directory") {
		t.Errorf("Clean = %+v, %v; want both logs kept with warnings", r, err)
	}
}
