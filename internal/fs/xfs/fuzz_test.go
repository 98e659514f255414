package xfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// memImage is an in-memory volume for the fuzz targets.
type memImage []byte

func (m memImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m)) {
		return 0, errors.New("outside the image")
	}
	return copy(p, m[off:]), nil
}

func (m memImage) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(m)) {
		return 0, errors.New("outside the image")
	}
	return copy(m[off:], p), nil
}

func (m memImage) Size() int64  { return int64(len(m)) }
func (m memImage) Close() error { return nil }

const fuzzBlocks = 16

// fuzzFS is a tiny synthetic filesystem (one AG of 16 blocks of 4 KiB)
// whose blocks the fuzz targets fill.
func fuzzFS(uuid [16]byte) (*FS, memImage) {
	vol := make(memImage, fuzzBlocks*4096)
	sb := &Superblock{
		BlockSize: 4096, BlockLog: 12, DBlocks: fuzzBlocks, AGBlocks: 256, AGBlkLog: 8, AGCount: 1,
		InodeSize: 512, InodeLog: 9, InoPBlock: 8, InoPBLog: 3, SectSize: 512, SectLog: 9,
		Incompat: incompatFtype, UUID: uuid, MetaUUID: uuid, RootIno: 128,
	}
	return &FS{vol: vol, name: "fuzz", sb: sb, bs: 4096, ro: true}, vol
}

// fuzzInode builds an inode from raw bytes, fixing the fields that the
// checks before parsing would reject (CRC, number, UUID) so the fuzzer
// reaches the fork decoders.
func fuzzInode(data []byte) (*FS, *Inode, memImage) {
	raw := make([]byte, 512)
	copy(raw, data)
	uuid := [16]byte(raw[diOffUUID : diOffUUID+16])
	f, vol := fuzzFS(uuid)
	ino := uint64(1<<3 | 1) // AG 0, block 1, slot 1
	putBE64(raw, diOffIno, ino)
	updateCRC(raw, diOffCRC)
	return f, &Inode{Ino: ino, Raw: raw, off: 4096 + 512}, vol
}

func exerciseInode(f *FS, n *Inode) {
	if f.checkInode(n) != nil {
		return
	}
	_ = n.stat()
	switch {
	case n.IsDir():
		_, _ = f.readDirEntries(n)
	case n.IsLnk():
		_, _ = f.readSymlink(n)
	case n.IsReg():
		if r, size, err := f.dataReader(n); err == nil {
			buf := make([]byte, 8192)
			if size > 0 {
				_, _ = r.ReadAt(buf, 0)
			}
		}
	}
	xs, _ := f.readXattrs(n)
	for _, x := range xs {
		_ = x.fullName()
		_, _ = xfsACLToLinux(x.value)
	}
}

func FuzzSuperblock(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 512 {
			return
		}
		b := append([]byte(nil), data...)
		if len(b) >= 228 {
			if ss := int(be16(b, sbOffSectSize)); ss >= 512 && ss <= len(b) {
				updateCRC(b[:ss], sbOffCRC)
			}
		}
		sb, err := ParseSuperblock(b)
		if err == nil {
			_ = sb.Label()
			_ = sb.UUIDString()
			// Open on a volume holding just this superblock must not panic.
			vol := make(memImage, 1<<20)
			copy(vol, b)
			_, _ = Open(vol, fs.OpenOptions{ReadOnly: true})
		}
	})
}

func FuzzInodeCore(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		xf, n, _ := fuzzInode(data)
		exerciseInode(xf, n)
	})
}

// FuzzDirBlock: the input is one directory data block, owned by inode 9.
func FuzzDirBlock(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		b := make([]byte, 4096)
		copy(b, data)
		fs, _ := fuzzFS([16]byte(b[dirOffUUID : dirOffUUID+16]))
		n := &Inode{Ino: be64(b, dirOffOwner)}
		updateCRC(b, dirOffCRC)
		_, _ = fs.parseDirDataBlock(n, 0, b, -1)
	})
}

// FuzzBmbt: the input is a bmbt block placed at block 2 and referenced by a
// level-1 root in an inode's data fork (and sibling links may loop).
func FuzzBmbt(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, nextents uint32) {
		b := make([]byte, 4096)
		copy(b, data)
		fs, vol := fuzzFS([16]byte(b[bmbtOffUUID : bmbtOffUUID+16]))
		owner := uint64(1<<3 | 1)
		putBE64(b, bmbtOffOwner, owner)
		putBE64(b, bmbtOffBlkno, 2*8)
		updateCRC(b, bmbtOffCRC)
		copy(vol[2*4096:], b)
		copy(vol[3*4096:], b) // a second copy, for chains
		raw := make([]byte, 512)
		raw[diOffFormat] = fmtBtree
		putBE32(raw, diOffNextents, nextents%4096)
		root := raw[diCoreSize:]
		putBE16(root, 0, 1)
		putBE16(root, 2, 1)
		maxr := (len(root) - 4) / 16
		putBE64(root, 4+maxr*8, 2)
		n := &Inode{Ino: owner, Raw: raw}
		exts, err := fs.forkExtents(n, forkData)
		if err == nil {
			r := &forkReader{f: fs, exts: exts, size: 1 << 30}
			buf := make([]byte, 4096)
			_, _ = r.ReadAt(buf, 0)
		}
	})
}

// FuzzAttrBlock: the input is an attribute fork block at block 2, mapped
// as attribute fork block 0 (further blocks map to copies of it).
func FuzzAttrBlock(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		b := make([]byte, 4096)
		copy(b, data)
		fs, vol := fuzzFS([16]byte(b[daOffUUID : daOffUUID+16]))
		owner := uint64(1<<3 | 1)
		putBE64(b, daOffOwner, owner)
		for i := uint64(0); i < 4; i++ {
			c := append([]byte(nil), b...)
			putBE64(c, daOffBlkno, (2+i)*8)
			updateCRC(c, daOffCRC)
			copy(vol[(2+i)*4096:], c)
		}
		n := &Inode{Ino: owner}
		exts := []extent{{Off: 0, Start: 2, Len: 4}}
		_, _ = fs.leafAttrs(n, exts)
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz seeds from a real image
// (XFS_WRITE_SEEDS=1 go test -run TestWriteFuzzSeeds).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("XFS_WRITE_SEEDS") == "" {
		t.Skip("set XFS_WRITE_SEEDS=1 to regenerate the fuzz seeds")
	}
	img := richImage(t)
	f := openFS(t, img, true)
	defer f.Close()
	write := func(target, name string, args ...any) {
		dir := filepath.Join("testdata", "fuzz", target)
		must(t, os.MkdirAll(dir, 0o755))
		s := "go test fuzz v1\n"
		for _, a := range args {
			switch v := a.(type) {
			case []byte:
				s += fmt.Sprintf("[]byte(%q)\n", v)
			case uint32:
				s += fmt.Sprintf("uint32(%d)\n", v)
			}
		}
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	write("FuzzSuperblock", "mkfs", f.sbRaw)
	for _, p := range []string{"/etc", "/etc/localtime", "/etc/longlink", "/frag-a", "/xa-short", "/xa-leaf", "/node"} {
		n, err := f.resolve("seed", p)
		must(t, err)
		write("FuzzInodeCore", filepath.Base(p), n.Raw)
		if p == "/frag-a" {
			root := n.dataFork()
			maxr := (len(root) - 4) / 16
			b, _, err := f.readFSB(be64(root, 4+maxr*8), 1)
			must(t, err)
			write("FuzzBmbt", "leaf", b, n.Nextents())
		}
		if p == "/xa-leaf" {
			exts, err := f.forkExtents(n, forkAttr)
			must(t, err)
			b, _, err := f.readFSB(exts[0].Start, 1)
			must(t, err)
			write("FuzzAttrBlock", "leaf", b)
		}
		if p == "/xa-node" || p == "/node" {
			exts, err := f.forkExtents(n, forkData)
			must(t, err)
			b, _, err := f.readFSB(exts[0].Start, 1)
			must(t, err)
			write("FuzzDirBlock", "data", b)
		}
	}
	n, err := f.resolve("seed", "/block")
	must(t, err)
	exts, err := f.forkExtents(n, forkData)
	must(t, err)
	b, _, err := f.readFSB(exts[0].Start, 1)
	must(t, err)
	write("FuzzDirBlock", "block", b)
	n, err = f.resolve("seed", "/xa-node")
	must(t, err)
	exts, err = f.forkExtents(n, forkAttr)
	must(t, err)
	b, _, err = f.readFSB(exts[0].Start, 1)
	must(t, err)
	write("FuzzAttrBlock", "node", b)
}
