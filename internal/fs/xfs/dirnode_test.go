package xfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// dirFormat describes the on-disk layout of a directory: its leaf-area
// root block magic and how many leaf, node and free index blocks it has.
func dirFormat(t *testing.T, f *FS, p string) (root uint16, leaves, nodes, frees int) {
	t.Helper()
	n, err := f.resolve("stat", p)
	must(t, err)
	exts, err := f.forkExtents(n, forkData)
	must(t, err)
	for _, e := range exts {
		for fb := e.Off; fb < e.Off+e.Len; fb += uint64(1) << f.sb.DirBlkLog {
			off := fb << f.sb.BlockLog
			if off < dirLeafOffset {
				continue
			}
			b, err := f.dirBlockAt(n, exts, off)
			must(t, err)
			if off == dirLeafOffset {
				root = be16(b, daOffMagic)
			}
			switch {
			case off >= dirFreeOffset:
				frees++
			case be16(b, daOffMagic) == daNodeMagic:
				nodes++
			default:
				leaves++
			}
		}
	}
	f.abort()
	return root, leaves, nodes, frees
}

func nodeName(i, long int) string {
	return fmt.Sprintf("%s-%d", strings.Repeat("n", i%long), i)
}

// TestNodeDirectoryGrowth grows directories through leaf to node
// conversion, leaf splits (of the root leaf and under a node), new data
// blocks and new free index blocks, removes some entries, then lets the
// kernel add and remove entries in a read-write mount of the edited image
// and edits it once more.
func TestNodeDirectoryGrowth(t *testing.T) {
	for _, g := range []struct {
		name  string
		args  []string
		n     int
		long  int
		frees int
	}{
		{"debian12-defaults", nil, 3000, 50, 1},
		{"8k-dir-blocks", []string{"-n", "size=8192"}, 3000, 50, 1},
		{"rhel7-like", []string{"-m", "finobt=0,reflink=0,bigtime=0,inobtcount=0", "-i", "sparse=0"}, 1500, 50, 1},
		{"1k-blocks", []string{"-b", "size=1024"}, 2000, 50, 1},
	} {
		t.Run(g.name, func(t *testing.T) {
			img := mkfsXFS(t, g.args...)
			f := openFS(t, img, false)
			must(t, f.Mkdir("/big", 0o755))
			for i := 0; i < g.n; i++ {
				p := "/big/" + nodeName(i, g.long)
				if err := f.WriteFile(p, []byte(p), 0o644); err != nil {
					if errors.Is(err, fs.ErrUnsupported) {
						t.Logf("stopped at entry %d: %v", i, err)
						break
					}
					t.Fatal(err)
				}
			}
			root, leaves, nodes, frees := dirFormat(t, f, "/big")
			t.Logf("root %#x, %d leaf, %d node, %d free index blocks", root, leaves, nodes, frees)
			if root != daNodeMagic || leaves < 2 || nodes != 1 || frees < g.frees {
				t.Fatalf("directory did not reach node format with split leaves")
			}
			for i := 0; i < g.n; i += 7 {
				err := f.Remove("/big/" + nodeName(i, g.long))
				if err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
			// Moving it to another parent rewrites ".." in data block 0.
			must(t, f.Mkdir("/parent", 0o755))
			must(t, f.Rename("/big", "/parent/big"))
			checkClean(t, img, f)
			populate(t, img, func(d string) {
				must(t, os.Rename(filepath.Join(d, "parent/big"), filepath.Join(d, "big")))
				for i := 0; i < g.n; i += 5 {
					err := os.Remove(filepath.Join(d, "big", nodeName(i, g.long)))
					if err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
				}
				for i := 0; i < 300; i++ {
					must(t, os.WriteFile(filepath.Join(d, "big", fmt.Sprintf("kernel-%d", i)), nil, 0o600))
				}
			})
			testtool.Fsck(t, "xfs", img)
			f = openFS(t, img, false)
			for i := 0; i < 400; i++ {
				p := fmt.Sprintf("/big/again-%s-%d", strings.Repeat("a", i%60), i)
				if err := f.WriteFile(p, nil, 0o600); err != nil {
					if errors.Is(err, fs.ErrUnsupported) {
						t.Logf("stopped at entry %d: %v", i, err)
						break
					}
					t.Fatal(err)
				}
			}
			checkClean(t, img, f)
		})
	}
}

// dataBlocks counts a directory's mapped data blocks and returns its size.
func dataBlocks(t *testing.T, f *FS, p string) (int, int64) {
	t.Helper()
	n, err := f.resolve("stat", p)
	must(t, err)
	exts, err := f.forkExtents(n, forkData)
	must(t, err)
	var fsbs uint64
	for _, e := range exts {
		if e.Off<<f.sb.BlockLog < dirLeafOffset {
			fsbs += e.Len
		}
	}
	return int(fsbs >> f.sb.DirBlkLog), n.Size()
}

// TestDirDataBlockFreeAndReuse empties data blocks of leaf- and
// node-format directories (in the middle and at the end), which must free
// them, then adds entries that fill the holes again; the kernel then adds
// and removes entries in a read-write mount.
func TestDirDataBlockFreeAndReuse(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
	}{{"leaf", 420}, {"node", 1300}} {
		t.Run(c.name, func(t *testing.T) {
			img := mkfsXFS(t)
			f := openFS(t, img, false)
			must(t, f.Mkdir("/d", 0o755))
			must(t, f.WriteFile("/target", []byte("x"), 0o644))
			name := func(i int) string { return fmt.Sprintf("/d/entry-%05d-%s", i, strings.Repeat("e", 20)) }
			for i := 0; i < c.n; i++ {
				must(t, f.Link("/target", name(i)))
			}
			root, _, _, _ := dirFormat(t, f, "/d")
			full, fullSize := dataBlocks(t, f, "/d")
			for i := c.n / 4; i < c.n/2; i++ {
				must(t, f.Remove(name(i)))
			}
			for i := c.n * 3 / 4; i < c.n; i++ {
				must(t, f.Remove(name(i)))
			}
			holed, holedSize := dataBlocks(t, f, "/d")
			t.Logf("root %#x: %d data blocks (size %d), %d after removals (size %d)", root, full, fullSize, holed, holedSize)
			if holed > full-2 || holedSize >= fullSize {
				t.Fatalf("removals freed too little: %d of %d data blocks left, size %d of %d", holed, full, holedSize, fullSize)
			}
			for i := c.n / 4; i < c.n/2; i++ {
				must(t, f.Link("/target", name(i)))
			}
			for i := c.n * 3 / 4; i < c.n*7/8; i++ {
				must(t, f.Link("/target", name(i)))
			}
			if again, _ := dataBlocks(t, f, "/d"); again <= holed {
				t.Fatalf("no data block added back: %d", again)
			}
			checkClean(t, img, f)
			populate(t, img, func(d string) {
				for i := 0; i < c.n/4; i += 3 {
					must(t, os.Remove(filepath.Join(d, name(i))))
				}
				for i := 0; i < 200; i++ {
					must(t, os.Link(filepath.Join(d, "target"), filepath.Join(d, fmt.Sprintf("d/kernel-%d", i))))
				}
			})
			testtool.Fsck(t, "xfs", img)
			f = openFS(t, img, false)
			for i := c.n * 7 / 8; i < c.n; i++ {
				must(t, f.Link("/target", name(i)))
			}
			checkClean(t, img, f)
		})
	}
}
