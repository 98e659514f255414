package sysprep

import (
	"context"
	"fmt"
	iofs "io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// This file is the harness every operation test uses: build a guest tree,
// run operations through Run (so the report is exercised), and compare the
// whole tree before and after, so a test states EXACTLY what changed and
// everything else is proven untouched. Each case also runs a second time
// and must change nothing (idempotence).

// node is what a test compares of one path (times are left out: they are
// not part of an operation's contract).
type node struct {
	Mode   iofs.FileMode
	Uid    uint32
	Gid    uint32
	Data   string // file content or symlink target
	Xattrs string
}

// snapshot describes every path of the tree but the root.
func snapshot(t testing.TB, f fs.FS) map[string]node {
	t.Helper()
	out := map[string]node{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		if p == "/" {
			return nil
		}
		n := node{Mode: st.Mode, Uid: st.Uid, Gid: st.Gid}
		switch {
		case st.IsRegular():
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			n.Data = string(b)
		case st.IsSymlink():
			if n.Data, err = f.Readlink(p); err != nil {
				return err
			}
		}
		if xs, err := f.GetXattrs(p); err == nil && len(xs) > 0 {
			keys := slices.Sorted(maps.Keys(xs))
			for _, k := range keys {
				n.Xattrs += fmt.Sprintf("%s=%q;", k, xs[k])
			}
		}
		out[p] = n
		return nil
	})
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return out
}

// treeDiff returns the paths removed, changed and created between two
// snapshots, sorted.
func treeDiff(before, after map[string]node) (removed, changed, created []string) {
	removed, changed, created = []string{}, []string{}, []string{}
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			removed = append(removed, p)
		case a != b:
			changed = append(changed, p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			created = append(created, p)
		}
	}
	sort.Strings(removed)
	sort.Strings(changed)
	sort.Strings(created)
	return removed, changed, created
}

// baseTree is present in every case: files no operation may touch.
var baseTree = testtool.Tree{
	"etc/hostname":        "template\n",
	"etc/passwd":          "root:x:0:0:root:/root:/bin/bash\n",
	"etc/fstab":           "UUID=1234 / ext4 defaults 0 1\n",
	"usr/bin/true":        "ELF",
	"var/lib/misc/keep":   "x",
	"home/alice/.profile": "PATH=$PATH\n",
	"root/.bashrc":        "alias ll='ls -l'\n",
}

// opCase is one guest tree and what one run of the operations must do.
type opCase struct {
	name  string
	guest *guest.Guest
	tree  testtool.Tree
	// plan, when set, is used with Operations replaced by ops.
	plan *Plan
	// ops to run; empty means just the operation under test.
	ops []string
	// removed, changed and created: exactly the paths that differ after the
	// run (directories included), as absolute paths.
	removed, changed, created []string
	// files: content after the run; a value starting with "-> " is a
	// symlink target.
	files map[string]string
	// modes: permission bits after the run.
	modes map[string]iofs.FileMode
	// notes and warnings must each contain these substrings.
	notes, warnings []string
}

// opResult is what checkOp saw, for extra assertions.
type opResult struct {
	report   *Report
	warnings []string
	after    map[string]node
}

// checkOp runs c against operation op and checks the tree and the report.
func checkOp(t *testing.T, op string, c opCase) opResult {
	t.Helper()
	tree := testtool.Tree{}
	maps.Copy(tree, baseTree)
	maps.Copy(tree, c.tree)
	f := testtool.MemFS(t, tree)
	before := snapshot(t, f)

	ops := c.ops
	if len(ops) == 0 {
		ops = []string{op}
	}
	run := func() (*Report, []string) {
		t.Helper()
		plan := &Plan{}
		if c.plan != nil {
			cp := *c.plan
			plan = &cp
		}
		plan.Operations = ops
		var warnings []string
		rep, err := Run(context.Background(), c.guest, f, plan, RunOptions{
			Warnf: func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) },
		})
		if err != nil {
			t.Fatalf("Run(%v): %v", ops, err)
		}
		return rep, warnings
	}
	rep, warnings := run()
	after := snapshot(t, f)

	want := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		s = slices.Clone(s)
		sort.Strings(s)
		return s
	}
	wantRemoved, wantChanged, wantCreated := want(c.removed), want(c.changed), want(c.created)
	removed, changed, created := treeDiff(before, after)
	if !slices.Equal(removed, wantRemoved) {
		t.Errorf("removed from the tree:\n got %q\nwant %q", removed, wantRemoved)
	}
	if !slices.Equal(changed, wantChanged) {
		t.Errorf("changed in the tree:\n got %q\nwant %q", changed, wantChanged)
	}
	if !slices.Equal(created, wantCreated) {
		t.Errorf("created in the tree:\n got %q\nwant %q", created, wantCreated)
	}
	// The report says the same. With several operations, a path can be
	// changed by one and removed by the next: then compare the paths only.
	var rr, rc, rn []string
	for _, r := range rep.Operations {
		rr, rc, rn = append(rr, r.Removed...), append(rc, r.Changed...), append(rn, r.Created...)
	}
	if len(rep.Operations) == 1 {
		if !slices.Equal(want(rr), wantRemoved) || !slices.Equal(want(rc), wantChanged) || !slices.Equal(want(rn), wantCreated) {
			t.Errorf("report disagrees with the expectation:\n removed %q\n changed %q\n created %q", rr, rc, rn)
		}
	} else {
		union := func(lists ...[]string) []string {
			var all []string
			for _, l := range lists {
				all = append(all, l...)
			}
			sort.Strings(all)
			return slices.Compact(all)
		}
		got, exp := union(rr, rc, rn), union(wantRemoved, wantChanged, wantCreated)
		if !slices.Equal(got, exp) {
			t.Errorf("report paths disagree with the expectation:\n got %q\nwant %q", got, exp)
		}
	}
	for p, v := range c.files {
		n, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s: missing after the run", p)
		case strings.HasPrefix(v, testtool.SymlinkPrefix):
			if n.Mode&iofs.ModeSymlink == 0 || n.Data != strings.TrimPrefix(v, testtool.SymlinkPrefix) {
				t.Errorf("%s: got %v %q, want symlink %s", p, n.Mode, n.Data, v)
			}
		case !n.Mode.IsRegular() || n.Data != v:
			t.Errorf("%s: got %v\n%s\nwant\n%s", p, n.Mode, n.Data, v)
		}
	}
	for p, m := range c.modes {
		if n, ok := after[p]; !ok || n.Mode.Perm() != m {
			t.Errorf("%s: mode %v, want %v", p, n.Mode.Perm(), m)
		}
	}
	var notes []string
	for _, r := range rep.Operations {
		notes = append(notes, r.Notes...)
	}
	containsAll(t, "notes", notes, c.notes)
	containsAll(t, "warnings", warnings, c.warnings)

	// Idempotence: a second run changes nothing and reports nothing.
	rep2, _ := run()
	if again := snapshot(t, f); !maps.Equal(again, after) {
		r, ch, cr := treeDiff(after, again)
		t.Errorf("second run changed the tree: removed %q changed %q created %q", r, ch, cr)
	}
	for _, r := range rep2.Operations {
		if n1, n2, n3 := r.Counts(); n1+n2+n3 != 0 {
			t.Errorf("second run: %s reported removed %q changed %q created %q", r.Name, r.Removed, r.Changed, r.Created)
		}
	}
	return opResult{report: rep, warnings: warnings, after: after}
}

func containsAll(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("%s %q: none contains %q", what, got, w)
		}
	}
}

// runCases runs each case as a subtest.
func runCases(t *testing.T, op string, cases []opCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkOp(t, op, c) })
	}
}

// abs turns tree keys into absolute paths ("var/x/" -> "/var/x").
func abs(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = path.Clean("/" + k)
	}
	return out
}

// Guests of each family, as inspection reports them.
func debianGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "debian", Family: guest.FamilyDebian, VersionID: "12", Major: 12,
		PackageManager: "apt", PackageFormat: "deb"}
}

func ubuntuGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "ubuntu", IDLike: []string{"debian"}, Family: guest.FamilyDebian,
		VersionID: "24.04", Major: 24, Minor: 4, PackageManager: "apt", PackageFormat: "deb"}
}

func rockyGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, Family: guest.FamilyRHEL,
		VersionID: "9.4", Major: 9, Minor: 4, PackageManager: "dnf", PackageFormat: "rpm"}
}

func centos7Guest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "centos", IDLike: []string{"rhel", "fedora"}, Family: guest.FamilyRHEL,
		VersionID: "7", Major: 7, PackageManager: "yum", PackageFormat: "rpm"}
}

func fedoraGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "fedora", Family: guest.FamilyFedora, VersionID: "41", Major: 41,
		PackageManager: "dnf", PackageFormat: "rpm"}
}

func suseGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "opensuse-leap", IDLike: []string{"suse", "opensuse"}, Family: guest.FamilySUSE,
		VersionID: "15.6", Major: 15, Minor: 6, PackageManager: "zypper", PackageFormat: "rpm"}
}

func archGuest() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "arch", Family: guest.FamilyArch, PackageManager: "pacman"}
}

func TestTreeDiffHarness(t *testing.T) {
	// The harness itself must see every kind of difference.
	before := map[string]node{"/a": {Data: "1"}, "/b": {Data: "2"}, "/c": {Mode: 0o644}}
	after := map[string]node{"/b": {Data: "3"}, "/c": {Mode: 0o600}, "/d": {}}
	r, c, n := treeDiff(before, after)
	if !slices.Equal(r, []string{"/a"}) || !slices.Equal(c, []string{"/b", "/c"}) || !slices.Equal(n, []string{"/d"}) {
		t.Fatalf("treeDiff = %q %q %q", r, c, n)
	}
}

// newLabelledTree is testtool.MemFS with an SELinux label set on dir.
func newLabelledTree(t *testing.T, tr testtool.Tree, dir, label string) fs.FS {
	t.Helper()
	f := testtool.MemFS(t, tr)
	if err := f.SetXattr(dir, selinuxXattr, []byte(label)); err != nil {
		t.Fatal(err)
	}
	return f
}

// runOn runs operations on an existing tree.
func runOn(t *testing.T, g *guest.Guest, f fs.FS, ops ...string) (*Report, error) {
	t.Helper()
	return Run(context.Background(), g, f, &Plan{Operations: ops}, RunOptions{})
}
