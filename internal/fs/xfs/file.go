package xfs

import (
	"io"
)

// forkReader reads a fork's bytes through its extent list; holes and
// unwritten extents read as zeros.
type forkReader struct {
	f    *FS
	exts []extent
	size int64
}

// ReadAt implements io.ReaderAt up to the fork's size.
func (r *forkReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := len(p)
	if int64(want) > r.size-off {
		p = p[:r.size-off]
	}
	bs := r.f.bs
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		fb := uint64(pos / bs)
		inBlk := pos % bs
		e, ok := lookupExtent(r.exts, fb)
		// Bytes until the end of this extent (or of the hole).
		var run int64
		if ok {
			run = int64(e.Off+e.Len-fb)*bs - inBlk
		} else {
			run = bs - inBlk
			if i := nextExtent(r.exts, fb); i >= 0 {
				run = int64(r.exts[i].Off-fb)*bs - inBlk
			}
		}
		if run > int64(len(p)-done) {
			run = int64(len(p) - done)
		}
		chunk := p[done : done+int(run)]
		if !ok || e.Unwritten {
			clear(chunk)
		} else {
			base, err := r.f.fsbOff(e.Start)
			if err != nil {
				return done, err
			}
			if err := r.f.readAt(chunk, base+int64(fb-e.Off)*bs+inBlk); err != nil {
				return done, err
			}
		}
		done += int(run)
	}
	if done < want {
		return done, io.EOF
	}
	return done, nil
}

// nextExtent returns the index of the first extent after file block fb, or -1.
func nextExtent(exts []extent, fb uint64) int {
	for i, e := range exts {
		if e.Off > fb {
			return i
		}
	}
	return -1
}

// bytesReader serves local-format (inline) data.
type bytesReader []byte

func (b bytesReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, io.ErrUnexpectedEOF
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// dataReader returns a reader of an inode's data fork and its size.
func (f *FS) dataReader(n *Inode) (io.ReaderAt, int64, error) {
	size := n.Size()
	switch n.Format() {
	case fmtLocal:
		lit := n.dataFork()
		if size > int64(len(lit)) {
			return nil, 0, f.corrupt("inode %d: inline size %d", n.Ino, size)
		}
		return bytesReader(lit[:size]), size, nil
	case fmtExtents, fmtBtree:
		exts, err := f.forkExtents(n, forkData)
		if err != nil {
			return nil, 0, err
		}
		return &forkReader{f: f, exts: exts, size: size}, size, nil
	}
	return nil, 0, f.corrupt("inode %d: data fork format %d", n.Ino, n.Format())
}
