package xfs

import (
	"sort"
	"time"
)

// A write operation collects every metadata block it changes in f.tx (keyed
// by byte offset) and reads see those copies; commit writes them all, abort
// drops them, so an operation refused half-way leaves the volume untouched.
type txBlock struct {
	buf    []byte
	crcOff int // where the block's CRC goes, -1 for none
}

// txGet returns the transaction's copy of a metadata block, reading it
// first (the caller has verified it through the usual readers).
func (f *FS) txGet(off int64, size int, crcOff int) ([]byte, error) {
	if b, ok := f.tx[off]; ok {
		if len(b.buf) != size {
			return nil, f.corrupt("metadata at byte %d read with sizes %d and %d", off, len(b.buf), size)
		}
		return b.buf, nil
	}
	buf := make([]byte, size)
	if err := f.readAt(buf, off); err != nil {
		return nil, err
	}
	f.txPut(off, buf, crcOff)
	return buf, nil
}

// txPut records a changed metadata block.
func (f *FS) txPut(off int64, buf []byte, crcOff int) {
	if f.tx == nil {
		f.tx = map[int64]*txBlock{}
	}
	f.tx[off] = &txBlock{buf: buf, crcOff: crcOff}
}

// txOverlay copies the transaction's version of [off, off+len(buf)) when it
// holds exactly that block.
func (f *FS) txOverlay(buf []byte, off int64) bool {
	if b, ok := f.tx[off]; ok && len(b.buf) == len(buf) {
		copy(buf, b.buf)
		return true
	}
	return false
}

// commit writes every changed block with a fresh CRC, in offset order.
func (f *FS) commit() error {
	offs := make([]int64, 0, len(f.tx))
	for off := range f.tx {
		offs = append(offs, off)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	for _, off := range offs {
		b := f.tx[off]
		if b.crcOff >= 0 {
			updateCRC(b.buf, b.crcOff)
		}
	}
	tx := f.tx
	data := f.txData
	f.tx, f.txData = nil, nil
	f.dirCache = nil
	for _, d := range data {
		if err := f.writeAt(d.buf, d.off); err != nil {
			return err
		}
	}
	for _, off := range offs {
		if err := f.writeAt(tx[off].buf, off); err != nil {
			return err
		}
	}
	return nil
}

// abort drops the pending changes.
func (f *FS) abort() { f.tx, f.txData = nil, nil }

// txWriteData queues file data (to newly allocated blocks) for the commit.
func (f *FS) txWriteData(off int64, buf []byte) {
	f.txData = append(f.txData, txDataWrite{off, buf})
}

type txDataWrite struct {
	off int64
	buf []byte
}

// run performs one write operation as a transaction.
func (f *FS) run(op, p string, fn func() error) error {
	if err := f.canWrite(); err != nil {
		return perr(op, p, err)
	}
	f.tx, f.txData = nil, nil
	err := fn()
	if err == nil {
		err = f.fixFreelists()
	}
	if err != nil {
		f.abort()
		return perr(op, p, err)
	}
	if err := f.commit(); err != nil {
		return perr(op, p, err)
	}
	return nil
}

// txInode returns the transaction's copy of an inode (to edit).
func (f *FS) txInode(n *Inode) (*Inode, error) {
	buf, err := f.txGet(n.off, len(n.Raw), diOffCRC)
	if err != nil {
		return nil, err
	}
	return &Inode{Ino: n.Ino, Raw: buf, off: n.off}, nil
}

// setTime stores t in an inode timestamp field.
func (n *Inode) setTime(off int, t time.Time) {
	if be64(n.Raw, diOffFlags2)&diflag2Bigtime != 0 {
		s := t.Unix() + bigtimeEpochOffset
		if s < 0 {
			s = 0
		}
		putBE64(n.Raw, off, uint64(s)*1e9+uint64(t.Nanosecond()))
		return
	}
	s := t.Unix()
	if s > 1<<31-1 {
		s = 1<<31 - 1
	} else if s < -1<<31 {
		s = -1 << 31
	}
	putBE32(n.Raw, off, uint32(int32(s)))
	putBE32(n.Raw, off+4, uint32(t.Nanosecond()))
}

// touch bumps ctime (and mtime when mod) and the change counter.
func (n *Inode) touch(mod bool) {
	now := time.Now()
	n.setTime(diOffCtime, now)
	if mod {
		n.setTime(diOffMtime, now)
	}
	putBE64(n.Raw, diOffChangecount, be64(n.Raw, diOffChangecount)+1)
}

// inTx reports whether the block at off was changed by the operation under
// way (its CRC is only recomputed at commit).
func (f *FS) inTx(off int64) bool {
	_, ok := f.tx[off]
	return ok
}
