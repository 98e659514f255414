package conformance_test

import (
	"testing"
	"testing/fstest"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
)

// TestMemFS runs the suite on the in-memory reference filesystem.
func TestMemFS(t *testing.T) {
	conformance.Run(t, func(t *testing.T) fs.FS { return memfs.New() })
}

// TestIOFSOnMemFS checks the io/fs adapter itself with fstest.
func TestIOFSOnMemFS(t *testing.T) {
	m := memfs.New()
	for _, err := range []error{m.Mkdir("/etc", 0o755), m.WriteFile("/etc/a", []byte("a"), 0o644), m.Symlink("a", "/etc/l")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := fstest.TestFS(conformance.IOFS(m), "etc/a", "etc/l"); err != nil {
		t.Fatal(err)
	}
}
