package ext4

import (
	"errors"
	"os"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// fileImage is the real image file, read and written at byte offsets.
type fileImage struct {
	f    *os.File
	size int64
}

func (i *fileImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > i.size {
		return 0, errors.New("access outside the image")
	}
	return i.f.ReadAt(p, off)
}

func (i *fileImage) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > i.size {
		return 0, errors.New("access outside the image")
	}
	return i.f.WriteAt(p, off)
}

func (i *fileImage) Size() int64  { return i.size }
func (i *fileImage) Close() error { return i.f.Close() }

func openImageFile(t testing.TB, path string) *fileImage {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &fileImage{f: f, size: st.Size()}
}

// openFS opens an image file with the engine; closing is the caller's job.
func openFS(t testing.TB, path string, ro bool) *FS {
	t.Helper()
	f, err := Open(openImageFile(t, path), fs.OpenOptions{Name: "test.img", ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	return f
}
