package volume

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/diskfile"
)

// openFile opens a raw disk file as a read-write image.Image.
func openFile(t testing.TB, p string) image.Image { return diskfile.Open(t, p) }

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
