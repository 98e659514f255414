package ext4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

const rootIno = 2

var (
	errNoSpace     = fs.ErrNoSpace
	errUnsupported = fs.ErrUnsupported
)

func perr(op, p string, err error) error { return &iofs.PathError{Op: op, Path: p, Err: err} }

// splitPath checks that p is absolute and clean and returns its components.
func splitPath(p string) ([]string, bool) {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return nil, false
	}
	if p == "/" {
		return nil, true
	}
	return strings.Split(p[1:], "/"), true
}

// resolve finds the inode at p without following symlinks.
func (f *FS) resolve(op, p string) (*Inode, error) {
	parts, ok := splitPath(p)
	if !ok {
		return nil, perr(op, p, iofs.ErrInvalid)
	}
	n, err := f.readInode(rootIno)
	if err != nil {
		return nil, perr(op, p, err)
	}
	for _, c := range parts {
		if !n.IsDir() {
			return nil, perr(op, p, fs.ErrNotDir)
		}
		ino, err := f.lookupName(n, c)
		if err != nil {
			return nil, perr(op, p, err)
		}
		if ino == 0 {
			return nil, perr(op, p, iofs.ErrNotExist)
		}
		if n, err = f.readInode(ino); err != nil {
			return nil, perr(op, p, err)
		}
	}
	return n, nil
}

// dirBlock is one block of a directory as read.
type dirBlock struct {
	lblk, pblk uint64
	buf        []byte
	inline     int // > 0: an inline-data directory; entries end there in buf, then system.data's
}

// forEachDirBlock calls fn for each block of a directory in logical order
// until fn returns stop or an error.
func (f *FS) forEachDirBlock(dir *Inode, fn func(db *dirBlock) (stop bool, err error)) error {
	if dir.Flags()&flagInlineData != 0 {
		data := bytes.Clone(dir.Raw[iBlock : iBlock+iBlockLen])
		xs, err := f.readXattrs(dir)
		if err != nil {
			return err
		}
		for _, x := range xs {
			if x.Index == 7 && x.Name == "data" {
				data = append(data, x.Value...)
			}
		}
		_, err = fn(&dirBlock{buf: data, inline: iBlockLen})
		return err
	}
	m, err := f.readMapping(dir)
	if err != nil {
		return err
	}
	nblocks := uint64(dir.Size()) / uint64(f.geo.bs)
	if nblocks > maxDirBlocks {
		return f.corrupt("directory inode %d: %d blocks", dir.Ino, nblocks)
	}
	buf := f.scratch
	if buf == nil {
		buf = make([]byte, f.geo.bs)
	} else {
		f.scratch = nil // in use; nested scans allocate their own
		defer func() { f.scratch = buf }()
	}
	for _, e := range m.exts {
		for i := uint64(0); i < uint64(e.Len); i++ {
			l := uint64(e.Logical) + i
			if l >= nblocks {
				return nil
			}
			if e.Uninit {
				continue
			}
			if err := f.readBlock(e.Physical+i, buf); err != nil {
				return err
			}
			db := &dirBlock{lblk: l, pblk: e.Physical + i, buf: buf}
			if !f.isHtreeNode(dir, db) {
				if err := f.verifyDirLeaf(dir, l, buf); err != nil {
					return err
				}
			}
			stop, err := fn(db)
			if err != nil || stop {
				return err
			}
		}
	}
	return nil
}

// isHtreeNode reports whether block lblk of an indexed directory is an index
// node: the root (block 0) or a block holding one empty entry spanning it.
func (f *FS) isHtreeNode(dir *Inode, db *dirBlock) bool {
	if dir.Flags()&flagIndex == 0 {
		return false
	}
	if db.lblk == 0 {
		return true
	}
	return binary.LittleEndian.Uint32(db.buf) == 0 &&
		recLenFromDisk(binary.LittleEndian.Uint16(db.buf[4:]), len(db.buf)) == len(db.buf)
}

// dirEntries decodes one directory block, skipping index nodes' contents.
func (f *FS) dirEntries(dir *Inode, db *dirBlock) ([]Dirent, error) {
	b := db.buf
	if db.inline > 0 {
		// i_block: parent inode, then entries; system.data: more entries.
		parent := Dirent{Ino: binary.LittleEndian.Uint32(b), Name: "..", Type: ftDir}
		ents, err := ParseDirBlock(b[4:db.inline], f.filetype())
		if err != nil {
			return nil, f.corrupt("inline directory inode %d: %v", dir.Ino, err)
		}
		if len(b) > db.inline {
			more, err := ParseDirBlock(b[db.inline:], f.filetype())
			if err != nil {
				return nil, f.corrupt("inline directory inode %d: %v", dir.Ino, err)
			}
			ents = append(ents, more...)
		}
		return append([]Dirent{parent}, ents...), nil
	}
	if dir.Flags()&flagIndex != 0 && db.lblk == 0 {
		// dx_root: "." and ".." then the index, hidden in ".."'s rec_len.
		one := func(off int, name string) (Dirent, bool) {
			d := Dirent{Off: off, Name: name, Ino: binary.LittleEndian.Uint32(b[off:]), Type: b[off+7],
				RecLen: recLenFromDisk(binary.LittleEndian.Uint16(b[off+4:]), len(b))}
			return d, b[off+6] == uint8(len(name)) && string(b[off+8:off+8+len(name)]) == name
		}
		dot, ok1 := one(0, ".")
		dotdot, ok2 := one(12, "..")
		if !ok1 || !ok2 {
			return nil, f.corrupt("directory inode %d: htree root without . and ..", dir.Ino)
		}
		return []Dirent{dot, dotdot}, nil
	}
	if f.isHtreeNode(dir, db) {
		return nil, nil
	}
	end := len(b)
	if f.geo.csum && hasDirTail(b) {
		end -= dirTailSize
	}
	ents, err := ParseDirBlock(b[:end], f.filetype())
	if err != nil {
		// A 64 KiB block's last entry may use the special rec_len.
		return nil, f.corrupt("directory inode %d block %d: %v", dir.Ino, db.lblk, err)
	}
	return ents, nil
}

func (f *FS) filetype() bool { return f.sb.FeatureIncompat.Has(IncompatFiletype) }

// findEntry looks name up in dir. It returns the entry and its block.
func (f *FS) findEntry(dir *Inode, name string) (*Dirent, *dirBlock, error) {
	if name == "" {
		return nil, nil, iofs.ErrInvalid
	}
	// "." and ".." live in the htree root, not in the hashed leaves.
	if dir.Flags()&flagIndex != 0 && f.sb.FeatureCompat.Has(CompatDirIndex) && dir.Flags()&flagInlineData == 0 &&
		name != "." && name != ".." {
		if d, db, ok, err := f.htreeFind(dir, name); err != nil || ok {
			return d, db, err
		}
	}
	var found *Dirent
	var where *dirBlock
	err := f.forEachDirBlock(dir, func(db *dirBlock) (bool, error) {
		if db.inline == 0 && !f.isHtreeNode(dir, db) && scanBlock(db.buf, name, f.filetype()) == -1 {
			return false, nil
		}
		ents, err := f.dirEntries(dir, db)
		if err != nil {
			return true, err
		}
		for i := range ents {
			if ents[i].Ino != 0 && ents[i].Name == name {
				found = &ents[i]
				where = &dirBlock{lblk: db.lblk, pblk: db.pblk, buf: bytes.Clone(db.buf)}
				return true, nil
			}
		}
		return false, nil
	})
	return found, where, err
}

func (f *FS) statOf(n *Inode) fs.Stat {
	st := fs.Stat{
		Mode:  n.FileMode(),
		Uid:   n.UID(),
		Gid:   n.GID(),
		Size:  n.Size(),
		Nlink: uint32(n.Links()),
		Ino:   uint64(n.Ino),
		Atime: n.Atime(),
		Mtime: n.Mtime(),
		Ctime: n.Ctime(),
	}
	if t := n.Type(); t == sIFCHR || t == sIFBLK {
		st.Rdev = n.Rdev()
	}
	return st
}

// Lstat implements fs.FS.
func (f *FS) Lstat(p string) (fs.Stat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("lstat", p)
	if err != nil {
		return fs.Stat{}, err
	}
	return f.statOf(n), nil
}

// ReadDir implements fs.FS.
func (f *FS) ReadDir(p string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("readdir", p)
	if err != nil {
		return nil, err
	}
	if !n.IsDir() {
		return nil, perr("readdir", p, fs.ErrNotDir)
	}
	var out []fs.DirEntry
	err = f.forEachDirBlock(n, func(db *dirBlock) (bool, error) {
		ents, err := f.dirEntries(n, db)
		if err != nil {
			return true, err
		}
		for _, d := range ents {
			if d.Ino == 0 || d.Name == "." || d.Name == ".." {
				continue
			}
			if d.Name == "" || strings.ContainsAny(d.Name, "/\x00") {
				return true, f.corrupt("directory %s holds an invalid name %q", p, d.Name)
			}
			if len(out) >= maxDirEntriesM {
				return true, f.corrupt("directory %s: too many entries", p)
			}
			typ, ok := ftToMode(d.Type)
			if !ok || !f.filetype() {
				c, err := f.readInode(d.Ino)
				if err != nil {
					return true, err
				}
				typ = c.FileMode().Type()
			}
			out = append(out, fs.DirEntry{Name: d.Name, Type: typ, Ino: uint64(d.Ino)})
		}
		return false, nil
	})
	if err != nil {
		return nil, perr("readdir", p, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// fileReader reads a regular file through its extent list.
type fileReader struct {
	f      *FS
	exts   []Extent
	size   int64
	inline []byte
}

// ReadAt implements io.ReaderAt; holes and uninitialized extents read as zeros.
func (r *fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("ext4: negative offset")
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > r.size-off {
		p = p[:r.size-off]
	}
	if r.inline != nil {
		n := copy(p, r.inline[off:])
		if n < want {
			return n, io.EOF
		}
		return n, nil
	}
	bs := r.f.geo.bs
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		l := uint64(pos / bs)
		in := pos % bs
		e, ok := lookupExtent(r.exts, l)
		n := int(min(int64(len(p)-done), bs-in))
		if !ok || e.Uninit {
			clear(p[done : done+n])
			done += n
			continue
		}
		// Read as much of the extent as is contiguous.
		rem := (int64(e.Logical)+int64(e.Len))*bs - pos
		n = int(min(int64(len(p)-done), rem))
		phys := int64(e.Physical+(l-uint64(e.Logical)))*bs + in
		if _, err := r.f.vol.ReadAt(p[done:done+n], phys); err != nil {
			return done, fmt.Errorf("ext4: %s: reading file data: %w", r.f.name, err)
		}
		done += n
	}
	if done < want {
		return done, io.EOF
	}
	return done, nil
}

// Open implements fs.FS. The reader stays valid until the file is changed.
func (f *FS) Open(p string) (io.ReaderAt, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("open", p)
	if err != nil {
		return nil, 0, err
	}
	if n.IsDir() {
		return nil, 0, perr("open", p, fs.ErrIsDir)
	}
	if n.Type() != sIFREG {
		return nil, 0, perr("open", p, iofs.ErrInvalid)
	}
	if n.Flags()&flagEncrypt != 0 {
		return nil, 0, perr("open", p, fmt.Errorf("ext4: %s: encrypted file: %w", f.name, errUnsupported))
	}
	r := &fileReader{f: f, size: n.Size()}
	if n.Flags()&flagInlineData != 0 {
		if r.inline, err = f.inlineData(n); err != nil {
			return nil, 0, perr("open", p, err)
		}
		return r, r.size, nil
	}
	m, err := f.readMapping(n)
	if err != nil {
		return nil, 0, perr("open", p, err)
	}
	r.exts = m.exts
	return r, r.size, nil
}

// inlineData returns an inline-data file's content: i_block then the
// system.data attribute.
func (f *FS) inlineData(n *Inode) ([]byte, error) {
	size := n.Size()
	if size > iBlockLen+f.geo.inodeSize {
		return nil, f.corrupt("inode %d: inline data of %d bytes", n.Ino, size)
	}
	data := bytes.Clone(n.Raw[iBlock : iBlock+iBlockLen])
	xs, err := f.readXattrs(n)
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		if x.Index == 7 && x.Name == "data" {
			data = append(data, x.Value...)
		}
	}
	if int64(len(data)) < size {
		return nil, f.corrupt("inode %d: inline data shorter than its size", n.Ino)
	}
	return data[:size], nil
}

// Readlink implements fs.FS.
func (f *FS) Readlink(p string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("readlink", p)
	if err != nil {
		return "", err
	}
	if n.Type() != sIFLNK {
		return "", perr("readlink", p, iofs.ErrInvalid)
	}
	t, err := f.symlinkTarget(n)
	if err != nil {
		return "", perr("readlink", p, err)
	}
	return t, nil
}

func (f *FS) symlinkTarget(n *Inode) (string, error) {
	size := n.Size()
	if size <= 0 || size >= f.geo.bs || size > 65536 {
		return "", f.corrupt("symlink inode %d: size %d", n.Ino, size)
	}
	if n.Flags()&flagInlineData != 0 {
		b, err := f.inlineData(n)
		return string(b), err
	}
	if f.isFastSymlink(n) {
		return string(n.Raw[iBlock : iBlock+size]), nil
	}
	m, err := f.readMapping(n)
	if err != nil {
		return "", err
	}
	if len(m.exts) == 0 || m.exts[0].Logical != 0 {
		return "", f.corrupt("symlink inode %d: no data block", n.Ino)
	}
	buf := make([]byte, f.geo.bs)
	if err := f.readBlock(m.exts[0].Physical, buf); err != nil {
		return "", err
	}
	return string(buf[:size]), nil
}

// isFastSymlink reports whether the target lives in i_block.
func (f *FS) isFastSymlink(n *Inode) bool {
	if n.Flags()&(flagExtents|flagInlineData) != 0 {
		return false
	}
	if n.Size() >= iBlockLen {
		return false
	}
	blocks := n.blocks512(f.geo.bs, false)
	if n.FileACL() != 0 {
		blocks -= uint64(f.geo.bs / 512)
	}
	return blocks == 0
}

// GetXattrs implements fs.FS.
func (f *FS) GetXattrs(p string) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.resolve("getxattr", p)
	if err != nil {
		return nil, err
	}
	xs, err := f.readXattrs(n)
	if err != nil {
		return nil, perr("getxattr", p, err)
	}
	out := make(map[string][]byte, len(xs))
	for _, x := range xs {
		if x.Index == 7 && x.Name == "data" {
			continue // inline data, not an attribute
		}
		v := x.Value
		if isACLIndex(x.Index) {
			if v, err = aclDiskToVFS(v); err != nil {
				return nil, perr("getxattr", p, f.corrupt("inode %d: %s: %v", n.Ino, x.FullName(), err))
			}
		}
		out[x.FullName()] = v
	}
	return out, nil
}

// scanBlock looks for name in a directory block without allocating. It
// returns the entry's offset, -1 when absent, or -2 when the block looks
// damaged (the full parser then reports where).
func scanBlock(b []byte, name string, filetype bool) int {
	off, _ := scanBlockPrev(b, name, filetype)
	return off
}

// scanBlockPrev is scanBlock that also returns the offset of the entry
// before the match (-1 when the match is first in the block).
func scanBlockPrev(b []byte, name string, filetype bool) (int, int) {
	prev := -1
	for off := 0; off+direntHeader <= len(b); {
		rl := recLenFromDisk(binary.LittleEndian.Uint16(b[off+4:]), len(b))
		nl := int(b[off+6])
		if !filetype {
			nl = int(binary.LittleEndian.Uint16(b[off+6:]))
		}
		if rl < direntHeader || rl%4 != 0 || off+rl > len(b) || direntHeader+nl > rl {
			return -2, -1
		}
		if nl == len(name) && binary.LittleEndian.Uint32(b[off:]) != 0 && string(b[off+direntHeader:off+direntHeader+nl]) == name {
			return off, prev
		}
		prev = off
		off += rl
	}
	return -1, -1
}

// lookupName returns the inode number name refers to in dir, or 0.
func (f *FS) lookupName(dir *Inode, name string) (uint32, error) {
	indexed := dir.Flags()&flagIndex != 0
	if dir.Flags()&flagInlineData != 0 || (indexed && f.sb.FeatureCompat.Has(CompatDirIndex)) || name == "." || name == ".." {
		d, _, err := f.findEntry(dir, name)
		if err != nil || d == nil {
			return 0, err
		}
		return d.Ino, nil
	}
	var ino uint32
	err := f.forEachDirBlock(dir, func(db *dirBlock) (bool, error) {
		end := len(db.buf)
		if f.geo.csum && hasDirTail(db.buf) {
			end -= dirTailSize
		}
		switch off := scanBlock(db.buf[:end], name, f.filetype()); {
		case off >= 0:
			ino = binary.LittleEndian.Uint32(db.buf[off:])
			return true, nil
		case off == -2:
			_, err := f.dirEntries(dir, db)
			if err == nil {
				err = f.corrupt("directory inode %d block %d: bad entry", dir.Ino, db.lblk)
			}
			return true, err
		}
		return false, nil
	})
	return ino, err
}

// verifyDirLeaf checks a leaf block's checksum tail (metadata_csum), so
// that a damaged block is reported rather than rewritten with a fresh
// checksum.
func (f *FS) verifyDirLeaf(dir *Inode, lblk uint64, b []byte) error {
	if !f.geo.csum || !hasDirTail(b) {
		return nil
	}
	want := binary.LittleEndian.Uint32(b[len(b)-4:])
	if got := f.dirLeafCsum(dir, b); got != want {
		return f.corrupt("directory inode %d block %d checksum %#x, computed %#x", dir.Ino, lblk, want, got)
	}
	return nil
}
