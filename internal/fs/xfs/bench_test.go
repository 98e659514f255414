package xfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// BenchmarkWalk walks a tree of about 30,000 inodes (300 directories of
// 100 small files, as a kernel made them), reading every file and xattr.
func BenchmarkWalk(b *testing.B) {
	img := mkfsXFS(b)
	populate(b, img, func(d string) {
		for i := 0; i < 300; i++ {
			dir := filepath.Join(d, fmt.Sprintf("usr/share/pkg%03d", i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			for j := 0; j < 100; j++ {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%03d.txt", j)), []byte("content\n"), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	f := openFS(b, img, true)
	defer f.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
			if err != nil {
				return err
			}
			n++
			if st.IsRegular() {
				if _, err := fs.ReadFile(f, p); err != nil {
					return err
				}
			}
			_, err = f.GetXattrs(p)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if n < 30000 {
			b.Fatalf("walked %d entries", n)
		}
	}
}
