package ext4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// Seeds live in testdata/fuzz/<FuzzName>/, cut from real mkfs images by
// TestWriteFuzzSeeds (EXT4_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds).

func FuzzSuperblock(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sb, err := ParseSuperblock(b)
		if err != nil {
			return
		}
		out, err := binary.Append(nil, binary.LittleEndian, sb)
		if err != nil || !bytes.Equal(out, b[:superblockSize]) {
			t.Fatalf("superblock does not round-trip: %v", err)
		}
		_ = sb.FeatureCompat.String() + sb.FeatureIncompat.String() + sb.FeatureROCompat.String()
		if sb.GroupCount() == 0 || sb.BlockSize() < 1024 {
			t.Fatal("accepted a superblock without groups")
		}
	})
}

func FuzzGroupDesc(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int{32, 64} {
			if len(b) < size {
				return
			}
			d := GroupDesc(bytes.Clone(b[:size]))
			_ = d.BlockBitmap() + d.InodeBitmap() + d.InodeTable()
			fb, fi, ud, iu := d.FreeBlocks(), d.FreeInodes(), d.UsedDirs(), d.ItableUnused()
			d.setFreeBlocks(fb)
			d.setFreeInodes(fi)
			d.setUsedDirs(ud)
			d.setItableUnused(iu)
			if !bytes.Equal(d, b[:size]) {
				t.Fatal("group descriptor does not round-trip")
			}
		}
	})
}

func FuzzInode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 128 || len(b) > 1024 {
			return
		}
		n := &Inode{Ino: 12, Raw: bytes.Clone(b)}
		if len(n.Raw) > goodOldSize && goodOldSize+n.extraIsize() > len(n.Raw) {
			return // readInode refuses these
		}
		_ = n.FileMode()
		_, _, _ = n.Atime(), n.Mtime(), n.Ctime()
		_ = n.Rdev() + uint64(n.Size()) + n.FileACL()
		if area := inodeXattrArea(n); area != nil && binary.LittleEndian.Uint32(area) == xattrMagic {
			_, _ = ParseXattrEntries(area[4:], 0)
		}
		if h, err := ParseExtentHeader(n.Raw[iBlock : iBlock+iBlockLen]); err == nil && h.Depth == 0 {
			_ = ParseExtentLeaf(n.Raw[iBlock:iBlock+iBlockLen], h)
		}
		mt := n.Mtime()
		n.setMtime(mt)
		if !n.Mtime().Equal(mt) && n.hasExtra(iMtimeExtra) && n.u32(iMtimeExtra)>>2 < 1e9 {
			t.Fatalf("mtime does not round-trip: %v -> %v", mt, n.Mtime())
		}
	})
}

func FuzzExtentTree(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseExtentHeader(b)
		if err != nil {
			return
		}
		if 12+int(h.Max)*12 > len(b) {
			t.Fatal("header accepted a max past the buffer")
		}
		if h.Depth == 0 {
			for _, e := range ParseExtentLeaf(b, h) {
				if e.Len > maxInitLen {
					t.Fatal("extent longer than the format allows")
				}
			}
		} else {
			_ = parseExtentIndex(b, h)
		}
	})
}

func FuzzDirBlock(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte, filetype bool) {
		if len(b) == 0 || len(b) > 65536 {
			return
		}
		ents, err := ParseDirBlock(b, filetype)
		if err != nil {
			return
		}
		// Re-encode the entries at their offsets: the block parses the same.
		out := make([]byte, len(b))
		for _, d := range ents {
			putDirent(out, d.Off, d.Ino, d.Name, d.Type, d.RecLen, filetype)
		}
		again, err := ParseDirBlock(out, filetype)
		if err != nil || len(again) != len(ents) {
			t.Fatalf("re-encoded block: %v", err)
		}
		for i := range ents {
			if ents[i].Name != again[i].Name || ents[i].Ino != again[i].Ino || ents[i].RecLen != again[i].RecLen {
				t.Fatalf("entry %d differs: %+v vs %+v", i, ents[i], again[i])
			}
		}
	})
}

func FuzzXattr(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < xattrHeaderSize+4 || len(b) > 65536 {
			return
		}
		xs, err := ParseXattrEntries(b, xattrHeaderSize)
		if err != nil {
			return
		}
		for _, x := range xs {
			if x.Inum != 0 {
				return
			}
		}
		out := make([]byte, len(b))
		if !encodeXattrs(out, xattrHeaderSize, 0, xs, true) {
			return // legal on disk but larger once padded: the writer refuses
		}
		again, err := ParseXattrEntries(out, xattrHeaderSize)
		if err != nil || len(again) != len(xs) {
			t.Fatalf("re-encoded xattrs: %v", err)
		}
		for i := range xs {
			if xs[i].FullName() != again[i].FullName() || !bytes.Equal(xs[i].Value, again[i].Value) {
				t.Fatalf("xattr %d differs", i)
			}
		}
	})
}

// fuzzBase is a small real image the FuzzOpen patches apply to.
// With csum false the image has no metadata checksums, so that patches
// reach the structure checks behind them.
func fuzzBase(t testing.TB, csum bool) []byte {
	t.Helper()
	args := []string{"-b", "1024", "-N", "64"}
	if !csum {
		args = append(args, "-O", "^metadata_csum")
	}
	img := testtool.MkfsExt4(t, testtool.Tree{
		"etc/hostname": "guest\n", "etc/motd": string(bytes.Repeat([]byte("m"), 5000)),
		"bin": "-> usr/bin", "usr/bin/": "", "var/log/": "",
	}, "1M", args...)
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// memImage is an in-memory volume for fuzzing.
type memImage struct{ b []byte }

func (m *memImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m.b)) {
		return 0, errors.New("out of range")
	}
	return copy(p, m.b[off:]), nil
}

func (m *memImage) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m.b)) {
		return 0, errors.New("out of range")
	}
	return copy(m.b[off:], p), nil
}
func (m *memImage) Size() int64  { return int64(len(m.b)) }
func (m *memImage) Close() error { return nil }

// FuzzOpen applies patches (4-byte offset, 1-byte length, bytes) to a real
// image (with metadata checksums when the first byte is odd), then reads
// everything and makes edits: errors are fine, panics and hangs are not.
func FuzzOpen(f *testing.F) {
	bases := [][]byte{fuzzBase(f, false), fuzzBase(f, true)}
	f.Fuzz(func(t *testing.T, patches []byte) {
		if len(patches) == 0 {
			return
		}
		img := bytes.Clone(bases[patches[0]&1])
		patches = patches[1:]
		for p := patches; len(p) >= 5; {
			off := int(binary.LittleEndian.Uint32(p)) % len(img)
			n := min(int(p[4]), len(p)-5)
			copy(img[off:], p[5:5+n])
			p = p[5+n:]
		}
		for _, ro := range []bool{true, false} {
			fsys, err := Open(&memImage{b: img}, fs.OpenOptions{Name: "fuzz", ReadOnly: ro})
			if err != nil {
				continue
			}
			visited := 0
			var walk func(p string, depth int)
			walk = func(p string, depth int) {
				ents, err := fsys.ReadDir(p)
				if err != nil || depth > 8 {
					return
				}
				for _, e := range ents {
					visited++
					if visited > 500 {
						return
					}
					c := filepath.Join(p, e.Name)
					_, _ = fsys.Lstat(c)
					_, _ = fsys.GetXattrs(c)
					_, _ = fsys.Readlink(c)
					if r, size, err := fsys.Open(c); err == nil && size < 1<<20 {
						_, _ = r.ReadAt(make([]byte, size), 0)
					}
					walk(c, depth+1)
				}
			}
			walk("/", 0)
			_, _ = fsys.FreeRanges()
			if !ro {
				_ = fsys.WriteFile("/etc/hostname", []byte("new"), 0o644)
				_ = fsys.Mkdir("/etc/d", 0o755)
				_ = fsys.Remove("/etc/motd")
				_ = fsys.Rename("/usr/bin", "/var/log/bin")
				_ = fsys.SetXattr("/etc", "user.x", []byte("y"))
				_ = fsys.Truncate("/etc/hostname", 3000)
			}
			_ = fsys.Close()
		}
	})
}

// TestWriteFuzzSeeds cuts seed corpora from real images. Run it with
// EXT4_WRITE_FUZZ_SEEDS=1 to regenerate testdata/fuzz.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("EXT4_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set EXT4_WRITE_FUZZ_SEEDS=1 to regenerate the fuzz seeds")
	}
	write := func(target, name string, vals ...any) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := "go test fuzz v1\n"
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				s += fmt.Sprintf("[]byte(%q)\n", v)
			case bool:
				s += fmt.Sprintf("bool(%v)\n", v)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []struct {
		name string
		args []string
	}{{"4k", []string{"-b", "4096"}}, {"1k", []string{"-b", "1024"}}, {"ext2", []string{"-t", "ext2", "-I", "128"}}} {
		img, _ := mkfsSample(t, "16M", g.args...)
		raw, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		f := openFS(t, img, true)
		write("FuzzSuperblock", g.name, raw[1024:2048])
		write("FuzzGroupDesc", g.name, f.gdt[:f.geo.descSize*2])
		for _, p := range []string{"/etc/hostname", "/etc/motd", "/long/link", "/etc"} {
			n, err := f.resolve("seed", p)
			if err != nil {
				t.Fatal(err)
			}
			write("FuzzInode", g.name+"-"+filepath.Base(p), n.Raw)
			if n.Flags()&flagExtents != 0 {
				write("FuzzExtentTree", g.name+"-"+filepath.Base(p), n.Raw[iBlock:iBlock+iBlockLen])
			}
			if n.IsDir() {
				m, _ := f.readMapping(n)
				blk := make([]byte, f.geo.bs)
				f.readBlock(m.exts[0].Physical, blk)
				write("FuzzDirBlock", g.name, blk[:min(len(blk), 1024)], g.name != "ext2")
			}
			if b := n.FileACL(); b != 0 {
				blk := make([]byte, f.geo.bs)
				f.readBlock(b, blk)
				write("FuzzXattr", g.name, blk[:min(len(blk), 1024)])
			}
		}
		f.Close()
	}
	base := fuzzBase(t, true)
	// FuzzOpen seeds: patches of the superblock, a descriptor and the root inode.
	patch := func(sel byte, off uint32, b ...byte) []byte {
		out := binary.LittleEndian.AppendUint32([]byte{sel}, off)
		return append(append(out, byte(len(b))), b...)
	}
	write("FuzzOpen", "none", []byte{0})
	write("FuzzOpen", "none-csum", []byte{1})
	write("FuzzOpen", "blocks-count", patch(0, 1024+4, 0xFF, 0xFF, 0, 0))
	write("FuzzOpen", "gd-itable", patch(0, 2048+8, 1, 0, 0, 0))
	write("FuzzOpen", "magic", patch(1, 1024+0x38, base[1024+0x38]^1))
	write("FuzzOpen", "root-inode", patch(0, 5*1024+256+0x28, 0xFF, 0xFF, 0xFF))
}
