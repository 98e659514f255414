package xfs

import (
	"errors"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// patchBlock edits the block at byte off of an image file and fixes the
// CRC at crcOff, so only the semantic checks can catch the damage.
func patchBlock(t *testing.T, img string, off int64, size, crcOff int, edit func(b []byte)) {
	t.Helper()
	im := openImageFile(t, img)
	b := make([]byte, size)
	_, err := im.ReadAt(b, off)
	must(t, err)
	edit(b)
	updateCRC(b, crcOff)
	_, err = im.WriteAt(b, off)
	must(t, err)
}

// TestHostileFreeSpaceCycle: a bnobt leaf whose right sibling is itself
// is reported as corrupt, not walked forever.
func TestHostileFreeSpaceCycle(t *testing.T) {
	img := mkfsXFS(t)
	f := openFS(t, img, true)
	agf, err := f.readAGF(0)
	must(t, err)
	off, _ := f.agbOff(0, agf.BnoRoot)
	must(t, f.Close())
	patchBlock(t, img, off, 4096, sbtOffCRC, func(b []byte) { putBE32(b, sbtOffRight, agf.BnoRoot) })
	f = openFS(t, img, true)
	defer f.Close()
	if _, err := f.FreeRanges(); !errors.Is(err, fs.ErrCorrupt) {
		t.Fatalf("FreeRanges on a cyclic bnobt: %v", err)
	}
	// A writable open cross-checks the btrees and refuses.
	if _, err := Open(openImageFile(t, img), fs.OpenOptions{Name: "t"}); !errors.Is(err, fs.ErrCorrupt) {
		t.Fatalf("writable open with a cyclic bnobt: %v", err)
	}
}

// TestHostileInodeFields: an inode whose extent points outside the
// filesystem, and a directory whose shortform count overruns, are corrupt.
func TestHostileInodeFields(t *testing.T) {
	img := smallFixture(t)
	f := openFS(t, img, true)
	n, err := f.resolve("t", "/etc/machine-id")
	must(t, err)
	d, err := f.resolve("t", "/etc/ssh")
	must(t, err)
	must(t, f.Close())
	patchBlock(t, img, n.off, 512, diOffCRC, func(b []byte) {
		encodeExtent(b[diCoreSize:], extent{Off: 0, Start: 1 << 40, Len: 1})
	})
	patchBlock(t, img, d.off, 512, diOffCRC, func(b []byte) { b[diCoreSize] = 200 })
	f = openFS(t, img, true)
	defer f.Close()
	if _, err := fs.ReadFile(f, "/etc/machine-id"); !errors.Is(err, fs.ErrCorrupt) {
		t.Fatalf("extent outside the filesystem: %v", err)
	}
	if _, err := f.ReadDir("/etc/ssh"); !errors.Is(err, fs.ErrCorrupt) {
		t.Fatalf("overrunning shortform directory: %v", err)
	}
	if _, err := f.Lstat("/etc/hostname"); err != nil {
		t.Fatalf("an undamaged file: %v", err)
	}
}
