package customize

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func debian12() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "debian", Family: guest.FamilyDebian, VersionID: "12", Major: 12, PrettyName: "Debian GNU/Linux 12 (bookworm)"}
}

func ubuntu2204() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "ubuntu", IDLike: []string{"debian"}, Family: guest.FamilyDebian, VersionID: "22.04", Major: 22, Minor: 4}
}

func rocky9() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, Family: guest.FamilyRHEL, VersionID: "9.4", Major: 9, Minor: 4}
}

func alma8() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "almalinux", IDLike: []string{"rhel", "centos", "fedora"}, Family: guest.FamilyRHEL, VersionID: "8.10", Major: 8, Minor: 10}
}

func centos6() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "centos", Family: guest.FamilyRHEL, VersionID: "6", Major: 6}
}

func fedora40() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "fedora", Family: guest.FamilyFedora, VersionID: "40", Major: 40}
}

func suse15() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "opensuse-leap", IDLike: []string{"suse", "opensuse"}, Family: guest.FamilySUSE, VersionID: "15.5", Major: 15, Minor: 5}
}

func unknownLinux() *guest.Guest {
	return &guest.Guest{OS: "linux", Distro: "plan9ish", Family: guest.FamilyUnknown}
}

// result is what a test run produced.
type result struct {
	root   fs.FS
	diff   []string
	stdout []string
	logs   []string
	warns  []string
}

// apply runs the steps on a MemFS holding tr and returns the tree diff.
func apply(t *testing.T, g *guest.Guest, tr testtool.Tree, steps ...Step) (result, error) {
	t.Helper()
	root := testtool.MemFS(t, tr)
	before := testtool.FSSnapshot(t, root)
	var res result
	err := Apply(context.Background(), Target{
		Guest: g, Root: root,
		Logf:   func(f string, a ...any) { res.logs = append(res.logs, fmt.Sprintf(f, a...)) },
		Warnf:  func(f string, a ...any) { res.warns = append(res.warns, fmt.Sprintf(f, a...)) },
		Stdout: func(l string) { res.stdout = append(res.stdout, l) },
	}, steps)
	res.root = root
	res.diff = testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root))
	return res, err
}

// mustApply is apply that fails the test on an error.
func mustApply(t *testing.T, g *guest.Guest, tr testtool.Tree, steps ...Step) result {
	t.Helper()
	res, err := apply(t, g, tr, steps...)
	if err != nil {
		t.Fatalf("Apply(%v): %v", steps, err)
	}
	return res
}

// wantDiff compares a tree diff with the expected lines exactly.
func wantDiff(t *testing.T, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	if !slices.Equal(sorted, want) {
		t.Fatalf("tree diff:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// wantErr fails unless err contains every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not contain %q", err, f)
		}
	}
}

func read(t *testing.T, root fs.FS, p string) string {
	t.Helper()
	b, err := fs.ReadFile(root, p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
