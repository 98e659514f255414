package selinux

import (
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// sortedBase is fileContexts (without its junk lines) in the order
// refpolicy's fc_sort writes it: what a real policy ships and what
// libselinux expects.
const sortedBase = `/.*	system_u:object_r:default_t:s0
/[^/]+	--	system_u:object_r:etc_runtime_t:s0
/etc(/.*)?	system_u:object_r:etc_t:s0
/run(/.*)?	system_u:object_r:var_run_t:s0
/root(/.*)?	system_u:object_r:admin_home_t:s0
/proc(/.*)?	<<none>>
/dev/[shmxv]d[^/]*	-b	system_u:object_r:fixed_disk_device_t:s0
/usr/bin(/.*)?	system_u:object_r:bin_t:s0
/var/log(/.*)?	system_u:object_r:var_log_t:s0
/etc/cloud(/.*)?	system_u:object_r:cloud_etc_t:s0
/etc/shadow.*	--	system_u:object_r:shadow_t:s0
/root/\.ssh(/.*)?	system_u:object_r:ssh_home_t:s0
/var/log/wtmp.*	--	system_u:object_r:wtmp_t:s0
/tmp/\.X11-unix(/.*)?	-s	system_u:object_r:xdm_tmp_t:s0
/usr/lib/systemd/system(/.*)?	system_u:object_r:systemd_unit_file_t:s0
/home	-d	system_u:object_r:home_root_t:s0
/etc/hostname	--	system_u:object_r:hostname_etc_t:s0
/etc/localtime	--	system_u:object_r:locale_t:s0
`

// TestOrderIsFcSort checks that our specificity sort reproduces the
// fc_sort order of sortedBase from the shuffled fileContexts, and leaves
// an already sorted file as it is.
func TestOrderIsFcSort(t *testing.T) {
	want, _ := parseSpecs("sorted", []byte(sortedBase))
	for name, text := range map[string]string{"shuffled": fileContexts, "sorted": sortedBase} {
		specs, _ := parseSpecs(name, []byte(text))
		got := order([][]spec{specs}, []bool{true})
		if fmt.Sprint(regexes(got)) != fmt.Sprint(regexes(want)) {
			t.Errorf("%s: order =\n%s\nwant\n%s", name, strings.Join(regexes(got), "\n"), strings.Join(regexes(want), "\n"))
		}
	}
}

func regexes(s []spec) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.regex+" "+string(rune(x.kind)))
	}
	return out
}

// TestLabelMatchesSelabelLookup asks libselinux itself (selabel_lookup
// from selinux-utils, file backend) for the label of many paths and modes
// and compares with ours: same last-match rule, exact paths last, file
// types, .homedirs, .local, .subs_dist and <<none>>.
func TestLabelMatchesSelabelLookup(t *testing.T) {
	testtool.Need(t, "selabel_lookup")
	dir := filepath.Join(t.TempDir(), "contexts", "files")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"file_contexts": sortedBase, "file_contexts.homedirs": homedirs,
		"file_contexts.local": local, "file_contexts.subs_dist": subsDist,
	}
	tree := testtool.Tree{"etc/selinux/config": enforcing}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		tree["etc/selinux/targeted/contexts/files/"+name] = text
	}
	p, err := Load(testtool.MemFS(t, tree))
	if err != nil {
		t.Fatal(err)
	}
	// st_mode type bits, as selabel_lookup -t takes them (decimal).
	modes := map[string]struct {
		mode  iofs.FileMode
		stMod int
	}{
		"file": {0, 0o100000}, "dir": {iofs.ModeDir, 0o040000}, "link": {iofs.ModeSymlink, 0o120000},
		"blk": {iofs.ModeDevice, 0o060000}, "chr": {iofs.ModeDevice | iofs.ModeCharDevice, 0o020000},
		"sock": {iofs.ModeSocket, 0o140000}, "fifo": {iofs.ModeNamedPipe, 0o010000},
	}
	paths := []string{
		"/", "/etc", "/etc/hostname", "/etc/hosts", "/etc/localtime", "/etc/shadow", "/etc/shadow-", "/etc/cloud",
		"/etc/cloud/cloud.cfg", "/etc/cloud/cloud.cfg.d", "/etc/cloud/cloud.cfg.d/99-x.cfg", "/root", "/root/.ssh",
		"/root/.ssh/authorized_keys", "/root/.bashrc", "/rootx", "/.autorelabel", "/home", "/home/alice",
		"/home/alice/.ssh/authorized_keys", "/home/alice/notes", "/proc", "/proc/1/status", "/run/x.pid",
		"/var/run/x.pid", "/var/run", "/var/log/wtmp", "/var/log/messages", "/dev/vda", "/dev/vda1", "/dev/null",
		"/tmp/.X11-unix/X0", "/tmp/x", "/usr/bin/sh", "/usr/lib/systemd/system/sshd.service", "/srv/www/index.html",
		"/srv/www", "/srv",
	}
	for _, path := range paths {
		for mname, m := range modes {
			out, err := testtool.RunErr("selabel_lookup", "-b", "file", "-f", filepath.Join(dir, "file_contexts"),
				"-k", path, "-t", fmt.Sprint(m.stMod))
			want := ""
			if err == nil {
				want = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "Default context:"))
			} else if !strings.Contains(out, "failed to find a valid context") {
				t.Fatalf("selabel_lookup %s %s: %v\n%s", path, mname, err, out)
			}
			if want == none {
				want = ""
			}
			got, _ := p.Label(path, m.mode)
			if got != want {
				t.Errorf("Label(%s, %s) = %q; libselinux says %q", path, mname, got, want)
			}
		}
	}
}
