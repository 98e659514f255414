package conformance_test

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
)

// TestMemFS runs the suite on the in-memory reference filesystem.
func TestMemFS(t *testing.T) {
	conformance.Run(t, func(t *testing.T) fs.FS { return memfs.New() })
}
