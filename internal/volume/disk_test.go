package volume

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// fileImage is a raw file as an image.Image, for tests only.
type fileImage struct{ f *os.File }

func openFile(t testing.TB, p string) image.Image {
	t.Helper()
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return fileImage{f}
}

func (i fileImage) Size() int64 {
	st, err := i.f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

func (i fileImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > i.Size()-off {
		return 0, fmt.Errorf("read [%d,+%d): %w", off, len(p), image.ErrOutOfRange)
	}
	return i.f.ReadAt(p, off)
}

func (i fileImage) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > i.Size()-off {
		return 0, fmt.Errorf("write [%d,+%d): %w", off, len(p), image.ErrOutOfRange)
	}
	return i.f.WriteAt(p, off)
}

func (i fileImage) Close() error { return nil }

// sparseImage is a zero-filled in-memory disk of a given size holding head
// at offset 0 and tail at its end: what the fuzz target feeds List.
type sparseImage struct {
	size       int64
	head, tail []byte
}

func (s *sparseImage) Size() int64 { return s.size }

func (s *sparseImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > s.size-off {
		return 0, fmt.Errorf("read [%d,+%d): %w", off, len(p), image.ErrOutOfRange)
	}
	clear(p)
	if off < int64(len(s.head)) {
		copy(p, s.head[off:])
	}
	tailOff := s.size - int64(len(s.tail))
	if end := off + int64(len(p)); end > tailOff {
		if off >= tailOff {
			copy(p, s.tail[off-tailOff:])
		} else {
			copy(p[tailOff-off:], s.tail)
		}
	}
	return len(p), nil
}

func (s *sparseImage) WriteAt(p []byte, off int64) (int, error) { return 0, image.ErrReadOnly }
func (s *sparseImage) Close() error                             { return nil }

// makeSparse creates a sparse file of size bytes in a temp dir.
func makeSparse(t testing.TB, size int64) string {
	t.Helper()
	p := t.TempDir() + "/disk.img"
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// runStdin runs a command with stdin and returns its combined output.
func runStdin(stdin, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
