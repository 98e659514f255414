package ext4

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// mkfsIndexed makes an image whose /big directory holds n entries and has
// been hash-indexed by e2fsck -D (mkfs -d writes linear directories).
func mkfsIndexed(t testing.TB, n int, size string, args ...string) string {
	t.Helper()
	testtool.Need(t, "mkfs.ext4", "e2fsck")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(src, "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Hard links to one file: a directory of n names, cheap to make.
	first := filepath.Join(src, "big", "entry-00000-")
	if err := os.WriteFile(first, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("entry-%05d-%s", i, strings.Repeat("\u00e9", i%7))
		if err := os.Link(first, filepath.Join(src, "big", name)); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "ext4.img")
	var tune []string // "hash_alg=X" goes to tune2fs -E before indexing
	a := []string{"-q", "-F", "-E", "root_owner=0:0", "-d", src}
	for _, x := range args {
		if strings.HasPrefix(x, "hash_alg=") {
			tune = append(tune, "-E", x)
		} else {
			a = append(a, x)
		}
	}
	testtool.Run(t, "mkfs.ext4", append(a, img, size)...)
	if tune != nil {
		testtool.Run(t, "tune2fs", append(tune, img)...)
	}
	// e2fsck -D exits 1 when it optimised directories.
	if out, err := testtool.RunErr("e2fsck", "-fyD", img); err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("e2fsck -fyD: %v\n%s", err, out)
	}
	if out := testtool.Debugfs(t, img, "htree /big"); !strings.Contains(out, "Root node dump") {
		t.Fatalf("/big is not indexed:\n%.400s", out)
	}
	return img
}

// TestHtreeGrowAndShrink adds thousands of entries to hashed directories
// (leaf splits, index node splits, a new index level) and removes many,
// then checks with e2fsck (which verifies every hash range) and the kernel.
func TestHtreeGrowAndShrink(t *testing.T) {
	for _, g := range []struct {
		name       string
		start, add int
		size       string
		args       []string
	}{
		{"1k-new-level", 150, 2500, "32M", []string{"-b", "1024"}},
		{"1k-node-split", 3000, 2500, "32M", []string{"-b", "1024"}},
		{"4k-5000", 5000, 1500, "64M", []string{"-b", "4096"}},
		{"4k-nocsum", 600, 1500, "64M", []string{"-b", "4096", "-O", "^metadata_csum"}},
		{"1k-tea", 300, 900, "32M", []string{"-b", "1024", "hash_alg=tea"}},
		{"1k-legacy", 300, 900, "32M", []string{"-b", "1024", "hash_alg=legacy"}},
	} {
		t.Run(g.name, func(t *testing.T) {
			img := mkfsIndexed(t, g.start, g.size, g.args...)
			f := openFS(t, img, false)
			long := strings.Repeat("n", 40)
			for i := 0; i < g.add; i++ {
				if err := f.WriteFile(fmt.Sprintf("/big/added-%s-%05d-\u00fc", long, i), []byte("x"), 0o644); err != nil {
					t.Fatalf("add %d: %v", i, err)
				}
			}
			for i := 0; i < g.start; i += 3 {
				name := fmt.Sprintf("/big/entry-%05d-%s", i, strings.Repeat("\u00e9", i%7))
				if err := f.Remove(name); err != nil {
					t.Fatalf("remove %s: %v", name, err)
				}
			}
			for i := 0; i < g.add; i += 5 {
				if err := f.Remove(fmt.Sprintf("/big/added-%s-%05d-\u00fc", long, i)); err != nil {
					t.Fatal(err)
				}
			}
			// Moving a directory into and out of the hashed one rewrites ".."
			// and walks ".." chains through the htree root.
			for _, err := range []error{f.Mkdir("/other", 0o755), f.Mkdir("/other/sub", 0o755),
				f.Rename("/other/sub", "/big/sub"), f.Mkdir("/big/sub/deeper", 0o755),
				f.Rename("/other", "/big/sub/deeper/other"), f.Rename("/big/sub/deeper/other", "/other")} {
				if err != nil {
					t.Fatal(err)
				}
			}
			g.add++ // /big/sub
			// Every remaining name must still be found through lookups.
			ents, err := f.ReadDir("/big")
			if err != nil {
				t.Fatal(err)
			}
			want := g.start - (g.start+2)/3 + g.add - 1 - (g.add-1+4)/5 + 1
			if len(ents) != want {
				t.Fatalf("ReadDir: %d entries, want %d", len(ents), want)
			}
			for _, e := range ents[:50] {
				if _, err := f.Lstat("/big/" + e.Name); err != nil {
					t.Fatal(err)
				}
			}
			snap := conformance.Snapshot(t, f)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			checkImage(t, img, g.args, snap)
			out := testtool.Debugfs(t, img, "htree /big")
			for name, want := range map[string]string{"tea": "Hash Version: 2", "legacy": "Hash Version: 0"} {
				if strings.HasSuffix(g.name, name) && !strings.Contains(out, want) {
					t.Errorf("expected %q:\n%.200s", want, out)
				}
			}
			if g.name == "1k-new-level" && !strings.Contains(out, "Indirect levels: 1") {
				t.Errorf("expected a second index level:\n%.300s", out)
			}
		})
	}
}
