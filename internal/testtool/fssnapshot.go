package testtool

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// FSSnapshot describes every entry of an fs.FS (e.g. a memfs.FS) in a
// comparable form: "f 0644 0:0 \"content\"" (content quoted when at most
// 512 bytes, else its size), "d 0755 0:0", "l 0777 0:0 -> target", plus
// " xattr{name=value,...}". Times are left out. The root is skipped.
func FSSnapshot(t testing.TB, f fs.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		if p == "/" {
			return nil
		}
		desc := fmt.Sprintf("%s %04o %d:%d", typeChar(st.Mode), fs.UnixPerm(st.Mode), st.Uid, st.Gid)
		switch {
		case st.IsRegular():
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			if len(b) <= 512 {
				desc += fmt.Sprintf(" %q", b)
			} else {
				desc += fmt.Sprintf(" (%d bytes)", len(b))
			}
		case st.IsSymlink():
			target, err := f.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		if x, err := f.GetXattrs(p); err == nil && len(x) > 0 {
			names := make([]string, 0, len(x))
			for k := range x {
				names = append(names, k)
			}
			sort.Strings(names)
			var parts []string
			for _, k := range names {
				parts = append(parts, fmt.Sprintf("%s=%q", k, x[k]))
			}
			desc += " xattr{" + strings.Join(parts, ",") + "}"
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SnapshotDiff lists what changed between two snapshots, sorted by path:
// "+ path desc" (created), "- path" (removed), "~ path desc" (changed, the
// new description).
func SnapshotDiff(before, after map[string]string) []string {
	var out []string
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			out = append(out, "+ "+p+" "+a)
		case a != b:
			out = append(out, "~ "+p+" "+a)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, "- "+p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return out
}
