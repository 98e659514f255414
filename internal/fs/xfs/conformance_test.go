package xfs

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestConformance runs the shared suite on fresh mkfs.xfs images; after
// each case the image is closed and must pass xfs_repair -n and read the
// same through a kernel mount as through the engine.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) fs.FS {
		img := mkfsXFS(t)
		f := openFS(t, img, false)
		t.Cleanup(func() {
			if err := f.Close(); err != nil {
				t.Errorf("close: %v", err)
				return
			}
			testtool.Fsck(t, "xfs", img)
			g := openFS(t, img, true)
			defer g.Close()
			compareWithKernel(t, img, g)
		})
		return f
	})
}
