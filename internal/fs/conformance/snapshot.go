// Package conformance is the shared test suite every filesystem engine runs
// (ext4, xfs, btrfs, and memfs as the reference), plus helpers to compare an
// engine's view of a tree with a kernel mount.
package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	iofs "io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Snapshot describes the tree of f in the same line-per-entry form as
// testtool.Snapshot describes a mounted directory, so that an engine's
// view, a model (memfs) and the kernel's view compare equal.
func Snapshot(t testing.TB, f fs.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		if p == "/" {
			return nil
		}
		rel := strings.TrimPrefix(p, "/")
		if rel == "lost+found" {
			return fs.SkipDir
		}
		desc := fmt.Sprintf("%s %04o %d:%d", typeChar(st.Mode), fs.UnixPerm(st.Mode), st.Uid, st.Gid)
		switch {
		case st.Mode.IsRegular():
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			desc += fmt.Sprintf(" %d %s", len(b), hex.EncodeToString(h[:8]))
		case st.Mode&iofs.ModeSymlink != 0:
			target, err := f.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		if st.Mode&iofs.ModeSymlink == 0 {
			xs, err := f.GetXattrs(p)
			if err != nil {
				return err
			}
			if x := formatXattrs(xs); x != "" {
				desc += " " + x
			}
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func formatXattrs(xs map[string][]byte) string {
	if len(xs) == 0 {
		return ""
	}
	names := make([]string, 0, len(xs))
	for k := range xs {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		parts = append(parts, k+"="+hex.EncodeToString(xs[k]))
	}
	return "xattr{" + strings.Join(parts, ",") + "}"
}

func typeChar(m iofs.FileMode) string {
	switch {
	case m.IsDir():
		return "d"
	case m&iofs.ModeSymlink != 0:
		return "l"
	case m.IsRegular():
		return "f"
	default:
		return "o"
	}
}

// Diff returns a readable description of how two snapshots differ, or "".
func Diff(got, want map[string]string) string {
	var lines []string
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !gok:
			lines = append(lines, fmt.Sprintf("missing %s: want %q", k, w))
		case !wok:
			lines = append(lines, fmt.Sprintf("extra   %s: got %q", k, g))
		case g != w:
			lines = append(lines, fmt.Sprintf("differs %s:\n   got  %q\n   want %q", k, g, w))
		}
	}
	return strings.Join(lines, "\n")
}
