package ext4

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// mkfsSparse makes a 1 KiB-block image holding /sparse: 800 one-block
// extents separated by holes, which mke2fs stores as a depth-2 extent tree.
func mkfsSparse(t *testing.T) (img string, content []byte) {
	t.Helper()
	testtool.Need(t, "mkfs.ext4")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	content = make([]byte, 800*2048-1024)
	for i := 0; i < 800; i++ {
		copy(content[i*2048:], bytes.Repeat([]byte{byte(i%251 + 1)}, 1024))
	}
	fh, err := os.Create(filepath.Join(src, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 800; i++ {
		if _, err := fh.WriteAt(content[i*2048:i*2048+1024], int64(i*2048)); err != nil {
			t.Fatal(err)
		}
	}
	fh.Close()
	img = filepath.Join(dir, "ext4.img")
	testtool.Run(t, "mkfs.ext4", "-q", "-F", "-b", "1024", "-E", "root_owner=0:0", "-d", src, img, "32M")
	if out := testtool.Debugfs(t, img, "ex /sparse"); !strings.Contains(out, " 2/ 2 ") {
		t.Fatalf("fixture is not a depth-2 tree:\n%.300s", out)
	}
	return img, content
}

// TestDepth2ExtentTree reads a depth-2 tree, shrinks it (freeing leaves and
// index blocks), then writes a file into fragmented free space so the engine
// itself builds a depth-2 tree; e2fsck and the kernel check the result.
func TestDepth2ExtentTree(t *testing.T) {
	img, content := mkfsSparse(t)
	f := openFS(t, img, false)
	got, err := fs.ReadFile(f, "/sparse")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Fatal("depth-2 file read differs")
	}
	if err := f.Truncate("/sparse", 300*2048+100); err != nil {
		t.Fatal(err)
	}
	// Fragment free space: many one-block files, every other one removed.
	for i := 0; i < 1200; i++ {
		if err := f.WriteFile(fmt.Sprintf("/s%04d", i), []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Use up the contiguous free space so the big file must take the holes.
	filler := (int64(f.sb.FreeBlocksCount()) - 30) * f.geo.bs
	if err := f.WriteFile("/filler", make([]byte, filler), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1200; i += 2 {
		if err := f.Remove(fmt.Sprintf("/s%04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 600*1024)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if err := f.WriteFile("/frag", big, 0o644); err != nil {
		t.Fatal(err)
	}
	want := conformance.Snapshot(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, nil, want)
	if out := testtool.Debugfs(t, img, "ex /frag"); !strings.Contains(out, " 2/ 2 ") {
		t.Fatalf("engine did not build a depth-2 tree:\n%.400s", out)
	}
}
