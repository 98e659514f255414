package ext4

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestConformance runs the shared suite on fresh mkfs images of several
// geometries; after each case the image is closed and must pass e2fsck -fn.
func TestConformance(t *testing.T) {
	for _, g := range []struct {
		name string
		size string
		args []string
	}{
		{"ext4-4k", "64M", []string{"-b", "4096"}},
		{"ext4-1k", "64M", []string{"-b", "1024"}},
		{"ext3", "64M", []string{"-t", "ext3", "-b", "4096"}},
		{"ext2-128", "64M", []string{"-t", "ext2", "-I", "128", "-b", "4096"}},
	} {
		t.Run(g.name, func(t *testing.T) {
			conformance.Run(t, func(t *testing.T) fs.FS {
				img := testtool.MkfsExt4(t, testtool.Tree{}, g.size, g.args...)
				f := openFS(t, img, false)
				t.Cleanup(func() {
					if err := f.Close(); err != nil {
						t.Errorf("close: %v", err)
						return
					}
					testtool.Fsck(t, "ext4", img)
				})
				return f
			})
		})
	}
}
