package testtool

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
)

// Tree describes a directory tree for fixtures: a key is a path relative to
// the root ("etc/hostname"); a key ending in "/" is a directory; a value
// starting with "-> " is a symlink to the rest of the value; any other value
// is a regular file's content. Parents are created as needed (0755).
type Tree map[string]string

// SymlinkPrefix marks a symlink value in a Tree.
const SymlinkPrefix = "-> "

// Keys returns the tree's keys sorted, so parents come before children.
func (tr Tree) Keys() []string {
	ks := make([]string, 0, len(tr))
	for k := range tr {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// WriteDir materialises the tree under dir on the host.
func (tr Tree) WriteDir(t testing.TB, dir string) {
	t.Helper()
	for _, k := range tr.Keys() {
		v := tr[k]
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(k, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(k, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(v, SymlinkPrefix):
			if err := os.Symlink(strings.TrimPrefix(v, SymlinkPrefix), p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// MemFS returns an in-memory filesystem holding the tree.
func MemFS(t testing.TB, tr Tree) *memfs.FS {
	t.Helper()
	f := memfs.New()
	mkdirs := func(p string) {
		parts := strings.Split(strings.Trim(p, "/"), "/")
		cur := ""
		for _, c := range parts {
			if c == "" {
				continue
			}
			cur += "/" + c
			if _, err := f.Lstat(cur); err != nil {
				if err := f.Mkdir(cur, 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, k := range tr.Keys() {
		v := tr[k]
		p := "/" + strings.Trim(k, "/")
		if strings.HasSuffix(k, "/") {
			mkdirs(p)
			continue
		}
		mkdirs(filepath.Dir(p))
		var err error
		if strings.HasPrefix(v, SymlinkPrefix) {
			err = f.Symlink(strings.TrimPrefix(v, SymlinkPrefix), p)
		} else {
			err = f.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}
