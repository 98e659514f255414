package xfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func openErr(t *testing.T, img string, ro bool) error {
	t.Helper()
	_, err := Open(openImageFile(t, img), fs.OpenOptions{Name: "guest.qcow2 partition 3", ReadOnly: ro})
	return err
}

func wantRefusal(t *testing.T, err, target error, words ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %v", err, target)
	}
	for _, w := range append(words, "guest.qcow2 partition 3") {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not mention %q", err, w)
		}
	}
}

// patchSB edits the primary superblock and fixes its CRC.
func patchSB(t *testing.T, img string, edit func(b []byte)) {
	t.Helper()
	im := openImageFile(t, img)
	b := make([]byte, 512)
	_, err := im.ReadAt(b, 0)
	must(t, err)
	edit(b)
	updateCRC(b, sbOffCRC)
	_, err = im.WriteAt(b, 0)
	must(t, err)
}

// TestRefuseDirtyLog: a filesystem shut down without unmounting (log
// forced, no unmount record) is refused, even read-only.
func TestRefuseDirtyLog(t *testing.T) {
	testtool.Need(t, "xfs_io")
	img := mkfsXFS(t)
	populate(t, img, func(d string) {
		must(t, os.WriteFile(filepath.Join(d, "pending"), []byte("x"), 0o644))
		testtool.Run(t, "xfs_io", "-x", "-c", "shutdown -f", d)
	})
	wantRefusal(t, openErr(t, img, false), fs.ErrUnsupported, "log is not clean", "xfs_repair a copy")
	wantRefusal(t, openErr(t, img, true), fs.ErrUnsupported, "log is not clean")
	// After xfs_repair replays nothing but zeroes the log... the kernel's
	// own clean unmount is what makes it acceptable again.
	populate(t, img, func(string) {})
	f := openFS(t, img, false)
	must(t, f.Close())
}

// TestAcceptCleanAfterKernelUse: an image the kernel mounted, changed and
// unmounted cleanly (log wrapped past the mkfs record) opens.
func TestAcceptCleanAfterKernelUse(t *testing.T) {
	img := richImage(t)
	f := openFS(t, img, false)
	must(t, f.Close())
}

func TestRefuseV4(t *testing.T) {
	img := mkfsXFS(t, "-m", "crc=0", "-n", "ftype=1")
	wantRefusal(t, openErr(t, img, true), fs.ErrUnsupported, "crc=1")
}

func TestRefuseFeatures(t *testing.T) {
	img := mkfsXFS(t)
	patchSB(t, img, func(b []byte) { putBE32(b, sbOffIncompat, be32(b, sbOffIncompat)|1<<6) })
	wantRefusal(t, openErr(t, img, true), fs.ErrUnsupported, "exchrange")

	img = mkfsXFS(t)
	patchSB(t, img, func(b []byte) { putBE32(b, sbOffROCompat, be32(b, sbOffROCompat)|1<<20) })
	wantRefusal(t, openErr(t, img, false), fs.ErrUnsupported, "bit 20")
	f := openFS(t, img, true) // read-only is fine
	must(t, f.Close())

	img = mkfsXFS(t)
	patchSB(t, img, func(b []byte) { putBE32(b, sbOffLogIncompat, 1) })
	wantRefusal(t, openErr(t, img, true), fs.ErrUnsupported, "logged xattrs")

	img = mkfsXFS(t)
	patchSB(t, img, func(b []byte) { b[sbOffInProgress] = 1 })
	wantRefusal(t, openErr(t, img, true), fs.ErrUnsupported, "sb_inprogress")
}

func TestRefuseBadCRC(t *testing.T) {
	img := mkfsXFS(t)
	im := openImageFile(t, img)
	_, err := im.WriteAt([]byte{0xff}, sbOffFname) // label byte, CRC not fixed
	must(t, err)
	wantRefusal(t, openErr(t, img, true), fs.ErrCorrupt, "CRC")

	// A damaged root inode.
	img = mkfsXFS(t)
	f := openFS(t, img, true)
	off, err := f.inodeOff(f.sb.RootIno)
	must(t, err)
	must(t, f.Close())
	im = openImageFile(t, img)
	_, err = im.WriteAt([]byte{0x12}, off+diOffUid)
	must(t, err)
	f = openFS(t, img, true)
	_, err = f.ReadDir("/")
	if !errors.Is(err, fs.ErrCorrupt) || !strings.Contains(err.Error(), "CRC") {
		t.Fatalf("root inode with a bad CRC: %v", err)
	}

	// A damaged AGF.
	img = mkfsXFS(t)
	im = openImageFile(t, img)
	_, err = im.WriteAt([]byte{0x01}, 512+agfOffLongest)
	must(t, err)
	wantRefusal(t, openErr(t, img, true), fs.ErrCorrupt, "AGF")
}

func TestRefuseTruncated(t *testing.T) {
	img := mkfsXFS(t)
	must(t, os.Truncate(img, 100<<20))
	wantRefusal(t, openErr(t, img, true), fs.ErrCorrupt, "truncated")
}
