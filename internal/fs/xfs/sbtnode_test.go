package xfs

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// maxBnoLevels is the deepest by-block free space btree over all AGs,
// and how many children its root has.
func maxBnoLevels(t *testing.T, f *FS) (uint32, int) {
	t.Helper()
	var lv uint32
	var kids int
	for agno := uint32(0); agno < f.sb.AGCount; agno++ {
		agf, err := f.readAGF(agno)
		must(t, err)
		if agf.BnoLevel > lv {
			b, err := f.readSbtBlock(agno, agf.BnoRoot, abtbMagic, int(agf.BnoLevel)-1)
			must(t, err)
			lv, kids = agf.BnoLevel, int(be16(b, sbtOffNrecs))
		}
	}
	return lv, kids
}

// TestAGBtreeNodeSplit fragments free space until the free space btrees
// need node splits (1 KiB blocks: 121 records a leaf, 80 pointers a
// node). The kernel allocates groups of four files block by block in
// turn and
// removes the third ones: their blocks become free records in order. The
// engine removes the first ones, whose blocks lie between those records,
// so each of their extents is a new record in the middle of a leaf. The image must then
// pass xfs_repair, match the kernel, and take a read-write kernel mount
// that allocates and frees.
func TestAGBtreeNodeSplit(t *testing.T) {
	// 300 groups: the engine splits the root node; 600 groups: the kernel
	// made three levels, the engine splits a node under the root.
	t.Run("root", func(t *testing.T) { testAGBtreeNodeSplit(t, 300) })
	t.Run("under-root", func(t *testing.T) { testAGBtreeNodeSplit(t, 600) })
}

func testAGBtreeNodeSplit(t *testing.T, groups int) {
	img := mkfsXFS(t, "-b", "size=1024")
	const per = 20
	file := func(d, kind string, g int) string { return filepath.Join(d, fmt.Sprintf("%s%03d", kind, g)) }
	populate(t, img, func(d string) {
		for g := 0; g < groups; g++ {
			var fds []*os.File
			for _, kind := range []string{"a", "b", "c", "d"} {
				fd, err := os.Create(file(d, kind, g))
				must(t, err)
				fds = append(fds, fd)
			}
			for b := int64(0); b < per; b++ {
				for _, fd := range fds {
					must(t, syscall.Fallocate(int(fd.Fd()), 0, b*1024, 1024))
				}
			}
			for _, fd := range fds {
				must(t, fd.Close())
			}
		}
		for g := 0; g < groups; g++ {
			must(t, os.Remove(file(d, "c", g)))
		}
	})
	f := openFS(t, img, false)
	before, kidsBefore := maxBnoLevels(t, f)
	start := time.Now()
	for g := 0; g < groups; g++ {
		must(t, f.Remove(file("/", "a", g)))
	}
	after, kids := maxBnoLevels(t, f)
	t.Logf("free space btree levels: %d before, %d after, root with %d then %d children (%v)", before, after, kidsBefore, kids, time.Since(start))
	// A root split adds a level; a split of a node under the root gives
	// the root one more child.
	if after < 3 || !(after > before || kids > kidsBefore) {
		t.Fatalf("no node split: %d levels before, %d after, root with %d then %d children", before, after, kidsBefore, kids)
	}
	checkClean(t, img, f)
	populate(t, img, func(d string) {
		for g := 0; g < groups; g += 2 {
			fd, err := os.OpenFile(file(d, "b", g), os.O_RDWR, 0)
			must(t, err)
			for b := int64(1); b < per; b += 3 {
				must(t, syscall.Fallocate(int(fd.Fd()), 0x3, b*1024, 1024)) // punch a hole
			}
			must(t, fd.Close())
		}
		for i := 0; i < 300; i++ {
			must(t, os.WriteFile(filepath.Join(d, fmt.Sprintf("k%03d", i)), make([]byte, 3000), 0o644))
		}
	})
	testtool.Fsck(t, "xfs", img)
}
