package ext4

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// hostTempDir prefers tmpfs: making tens of thousands of fixture files on
// disk dominates the setup otherwise.
func hostTempDir(b *testing.B) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "ext4bench"); err == nil {
			b.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return b.TempDir()
}

// mkfsMany makes a sparse image of size holding nfiles small files spread
// over directories of 100 (a Debian-like population of small files).
func mkfsMany(b *testing.B, nfiles int, size string) string {
	b.Helper()
	testtool.Need(b, "mkfs.ext4")
	src := filepath.Join(hostTempDir(b), "root")
	for i := 0; i < nfiles; i++ {
		dir := filepath.Join(src, fmt.Sprintf("usr/share/d%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		content := strings.Repeat("x", (i*37)%3000)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%05d", i)), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	img := filepath.Join(b.TempDir(), "ext4.img")
	testtool.Run(b, "mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "root_owner=0:0", "-d", src, img, size)
	return img
}

// BenchmarkWalk30k opens a filesystem of ~30,000 inodes and stats every entry.
func BenchmarkWalk30k(b *testing.B) {
	img := mkfsMany(b, 30000, "2G")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := openFS(b, img, true)
		n := 0
		err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
			n++
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if n < 30000 {
			b.Fatalf("walked %d entries", n)
		}
		f.Close()
	}
}

// BenchmarkDelete10kCreate1k deletes 10,000 files from a 2 GiB filesystem
// and creates 1,000 small ones; the last result must pass e2fsck.
func BenchmarkDelete10kCreate1k(b *testing.B) {
	tmpl := mkfsMany(b, 10000, "2G")
	img := filepath.Join(b.TempDir(), "work.img")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		testtool.Run(b, "cp", "--sparse=always", tmpl, img)
		b.StartTimer()
		f := openFS(b, img, false)
		for j := 0; j < 10000; j++ {
			if err := f.Remove(fmt.Sprintf("/usr/share/d%03d/file-%05d", j/100, j)); err != nil {
				b.Fatal(err)
			}
		}
		for j := 0; j < 1000; j++ {
			if err := f.WriteFile(fmt.Sprintf("/usr/share/d%03d/new-%04d", j%100, j), []byte("small file\n"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	testtool.Fsck(b, "ext4", img)
}
