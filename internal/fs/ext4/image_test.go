package ext4

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/diskfile"
)

// openImageFile opens the real image file as a read-write image.Image.
func openImageFile(t testing.TB, path string) *diskfile.File { return diskfile.Open(t, path) }

// openFS opens an image file with the engine; closing is the caller's job.
func openFS(t testing.TB, path string, ro bool) *FS {
	t.Helper()
	f, err := Open(openImageFile(t, path), fs.OpenOptions{Name: "test.img", ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	return f
}
