package xfs

import (
	"errors"
	iofs "io/fs"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestConformance runs the shared suite on fresh mkfs.xfs images; after
// each case the image is closed and must pass xfs_repair -n and read the
// same through a kernel mount as through the engine. A case that reaches
// an operation the engine refuses with fs.ErrUnsupported is skipped with
// that error (the image is still checked).
func TestConformance(t *testing.T) {
	for _, g := range []struct {
		name string
		args []string
	}{
		{"debian12-defaults", nil},
		{"nrext64", []string{"-i", "nrext64=1"}},
		{"1k-blocks", []string{"-b", "size=1024"}},
		{"8k-dir-blocks", []string{"-n", "size=8192"}},
		{"no-reflink-no-bigtime", []string{"-m", "reflink=0,bigtime=0"}},
		{"rhel7-like", []string{"-m", "finobt=0,reflink=0,bigtime=0,inobtcount=0", "-i", "sparse=0"}},
	} {
		t.Run(g.name, func(t *testing.T) { runConformance(t, g.args) })
	}
}

func runConformance(t *testing.T, args []string) {
	conformance.Run(t, func(t *testing.T) fs.FS {
		img := mkfsXFS(t, args...)
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
		return skipUnsupported{f, t}
	})
}

// skipUnsupported turns an fs.ErrUnsupported refusal into a skip of the
// running case, naming the refused operation.
type skipUnsupported struct {
	*FS
	t *testing.T
}

func (s skipUnsupported) check(err error) error {
	if errors.Is(err, fs.ErrUnsupported) {
		s.t.Skipf("refused as unsupported: %v", err)
	}
	return err
}

func (s skipUnsupported) WriteFile(p string, b []byte, m iofs.FileMode) error {
	return s.check(s.FS.WriteFile(p, b, m))
}
func (s skipUnsupported) Mkdir(p string, m iofs.FileMode) error { return s.check(s.FS.Mkdir(p, m)) }
func (s skipUnsupported) Symlink(a, p string) error             { return s.check(s.FS.Symlink(a, p)) }
func (s skipUnsupported) Link(a, p string) error                { return s.check(s.FS.Link(a, p)) }
func (s skipUnsupported) Remove(p string) error                 { return s.check(s.FS.Remove(p)) }
func (s skipUnsupported) Rename(a, p string) error              { return s.check(s.FS.Rename(a, p)) }
func (s skipUnsupported) Truncate(p string, n int64) error      { return s.check(s.FS.Truncate(p, n)) }
func (s skipUnsupported) Chmod(p string, m iofs.FileMode) error {
	return s.check(s.FS.Chmod(p, m))
}
func (s skipUnsupported) Lchown(p string, u, g int) error { return s.check(s.FS.Lchown(p, u, g)) }
func (s skipUnsupported) Chtimes(p string, a, m time.Time) error {
	return s.check(s.FS.Chtimes(p, a, m))
}
func (s skipUnsupported) SetXattr(p, n string, v []byte) error {
	return s.check(s.FS.SetXattr(p, n, v))
}
func (s skipUnsupported) RemoveXattr(p, n string) error { return s.check(s.FS.RemoveXattr(p, n)) }
