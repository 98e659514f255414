package xfs

import (
	"bytes"
)

// sbtree edits one short-pointer AG btree (bnobt, cntbt, inobt, finobt)
// inside the current transaction: inserts split full leaves and nodes
// (up to a new root), deletes borrow from or join leaves; joining node
// blocks is refused with fs.ErrUnsupported, naming the btree.
type sbtree struct {
	f       *FS
	name    string
	agno    uint32
	root    uint32
	levels  int
	magic   uint32
	recSize int
	keySize int
	// cmpKey orders keys (the first keySize bytes of a record, or a key).
	cmpKey func(a, b []byte) int
}

type sbtLevel struct {
	off int64
	buf []byte
	idx int // index of the child taken (nodes) or of the record (leaf)
}

func (t *sbtree) maxRecs(leaf bool) int {
	if leaf {
		return (int(t.f.bs) - sbtHdrSize) / t.recSize
	}
	return (int(t.f.bs) - sbtHdrSize) / (t.keySize + 4)
}

// block returns the transaction's mutable copy of a verified btree block.
func (t *sbtree) block(agbno uint32, level int) (int64, []byte, error) {
	if _, err := t.f.readSbtBlock(t.agno, agbno, t.magic, level); err != nil {
		return 0, nil, err
	}
	off, _ := t.f.agbOff(t.agno, agbno)
	buf, err := t.f.txGet(off, int(t.f.bs), sbtOffCRC)
	return off, buf, err
}

func (t *sbtree) key(b []byte, leaf bool, i int) []byte {
	if leaf {
		return b[sbtHdrSize+i*t.recSize : sbtHdrSize+i*t.recSize+t.keySize]
	}
	return b[sbtHdrSize+i*t.keySize : sbtHdrSize+(i+1)*t.keySize]
}

func (t *sbtree) rec(b []byte, i int) []byte {
	return b[sbtHdrSize+i*t.recSize : sbtHdrSize+(i+1)*t.recSize]
}

// descend walks from the root to the leaf whose range holds key; the
// leaf's idx is the last record with key <= key, or -1.
func (t *sbtree) descend(key []byte) ([]sbtLevel, error) {
	if t.levels <= 0 || t.levels > maxBtreeLevels {
		return nil, t.f.corrupt("AG %d: %s of %d levels", t.agno, t.name, t.levels)
	}
	var path []sbtLevel
	ptr := t.root
	for l := t.levels - 1; l >= 0; l-- {
		off, b, err := t.block(ptr, l)
		if err != nil {
			return nil, err
		}
		leaf := l == 0
		nr := int(be16(b, sbtOffNrecs))
		if nr > t.maxRecs(leaf) || (!leaf && nr == 0) {
			return nil, t.f.corrupt("AG %d: %s block %d holds %d records", t.agno, t.name, ptr, nr)
		}
		i := -1
		for i+1 < nr && t.cmpKey(t.key(b, leaf, i+1), key) <= 0 {
			i++
		}
		if !leaf {
			if i < 0 {
				i = 0
			}
			maxr := t.maxRecs(false)
			ptr = be32(b, sbtHdrSize+maxr*t.keySize+i*4)
		}
		path = append(path, sbtLevel{off: off, buf: b, idx: i})
		if len(path) > maxBtreeLevels {
			return nil, t.f.corrupt("AG %d: %s too deep", t.agno, t.name)
		}
	}
	return path, nil
}

// fixKeys propagates a leaf's new first key up the path.
func (t *sbtree) fixKeys(path []sbtLevel) {
	leaf := path[len(path)-1]
	if be16(leaf.buf, sbtOffNrecs) == 0 {
		return
	}
	first := append([]byte(nil), t.key(leaf.buf, true, 0)...)
	for l := len(path) - 2; l >= 0; l-- {
		copy(t.key(path[l].buf, false, path[l].idx), first)
		if path[l].idx != 0 {
			return
		}
	}
}

// lookup returns the record with exactly this key, or nil.
func (t *sbtree) lookup(key []byte) ([]byte, error) {
	path, err := t.descend(key)
	if err != nil {
		return nil, err
	}
	lf := path[len(path)-1]
	if lf.idx < 0 || t.cmpKey(t.key(lf.buf, true, lf.idx), key) != 0 {
		return nil, nil
	}
	return t.rec(lf.buf, lf.idx), nil
}

// insert adds a record (its key must not exist).
func (t *sbtree) insert(rec []byte) error {
	path, err := t.descend(rec[:t.keySize])
	if err != nil {
		return err
	}
	lf := &path[len(path)-1]
	nr := int(be16(lf.buf, sbtOffNrecs))
	pos := lf.idx + 1
	if lf.idx >= 0 && t.cmpKey(t.key(lf.buf, true, lf.idx), rec[:t.keySize]) == 0 {
		return t.f.corrupt("AG %d: %s already holds key %x", t.agno, t.name, rec[:t.keySize])
	}
	if nr >= t.maxRecs(true) {
		return t.splitInsert(path, pos, rec)
	}
	start := sbtHdrSize + pos*t.recSize
	end := sbtHdrSize + nr*t.recSize
	copy(lf.buf[start+t.recSize:end+t.recSize], lf.buf[start:end])
	copy(lf.buf[start:], rec)
	putBE16(lf.buf, sbtOffNrecs, uint16(nr+1))
	if pos == 0 {
		lf.idx = 0
		t.fixKeys(path)
	}
	return nil
}

// remove deletes the record with exactly this key.
func (t *sbtree) remove(key []byte) error {
	path, err := t.descend(key)
	if err != nil {
		return err
	}
	lf := &path[len(path)-1]
	if lf.idx < 0 || !bytes.Equal(t.key(lf.buf, true, lf.idx), key) {
		return t.f.corrupt("AG %d: %s has no record with key %x", t.agno, t.name, key)
	}
	nr := int(be16(lf.buf, sbtOffNrecs))
	if t.levels > 1 && nr-1 < t.maxRecs(true)/2 {
		return t.removeBorrowing(path)
	}
	start := sbtHdrSize + lf.idx*t.recSize
	end := sbtHdrSize + nr*t.recSize
	copy(lf.buf[start:], lf.buf[start+t.recSize:end])
	clear(lf.buf[end-t.recSize : end])
	putBE16(lf.buf, sbtOffNrecs, uint16(nr-1))
	if lf.idx == 0 {
		t.fixKeys(path)
	}
	return nil
}

// update rewrites the record with this key in place (same key).
func (t *sbtree) update(rec []byte) error {
	r, err := t.lookup(rec[:t.keySize])
	if err != nil {
		return err
	}
	if r == nil {
		return t.f.corrupt("AG %d: %s has no record with key %x", t.agno, t.name, rec[:t.keySize])
	}
	copy(r, rec)
	return nil
}

// neighbours returns the record with the largest key <= key and the one
// after it (either may be nil), crossing into the right sibling leaf.
func (t *sbtree) neighbours(key []byte) (le, next []byte, err error) {
	path, err := t.descend(key)
	if err != nil {
		return nil, nil, err
	}
	lf := path[len(path)-1]
	nr := int(be16(lf.buf, sbtOffNrecs))
	if lf.idx >= 0 {
		le = append([]byte(nil), t.rec(lf.buf, lf.idx)...)
	}
	if lf.idx+1 < nr {
		return le, append([]byte(nil), t.rec(lf.buf, lf.idx+1)...), nil
	}
	right := be32(lf.buf, sbtOffRight)
	if right == sbtNullPtr {
		return le, nil, nil
	}
	_, b, err := t.block(right, 0)
	if err != nil {
		return nil, nil, err
	}
	if be16(b, sbtOffNrecs) == 0 {
		return le, nil, nil
	}
	return le, append([]byte(nil), t.rec(b, 0)...), nil
}

// last returns the record with the largest key, or nil.
func (t *sbtree) last() ([]byte, error) {
	ptr := t.root
	for l := t.levels - 1; l >= 0; l-- {
		_, b, err := t.block(ptr, l)
		if err != nil {
			return nil, err
		}
		nr := int(be16(b, sbtOffNrecs))
		if nr > t.maxRecs(l == 0) {
			return nil, t.f.corrupt("AG %d: %s block %d holds %d records", t.agno, t.name, ptr, nr)
		}
		if nr == 0 {
			if l == 0 {
				return nil, nil
			}
			return nil, t.f.corrupt("AG %d: empty %s node", t.agno, t.name)
		}
		if l == 0 {
			return append([]byte(nil), t.rec(b, nr-1)...), nil
		}
		ptr = be32(b, sbtHdrSize+t.maxRecs(false)*t.keySize+(nr-1)*4)
	}
	return nil, nil
}

// first returns the record with the smallest key, or nil.
func (t *sbtree) first() ([]byte, error) {
	path, err := t.descend(make([]byte, t.keySize))
	if err != nil {
		return nil, err
	}
	lf := path[len(path)-1]
	if be16(lf.buf, sbtOffNrecs) == 0 {
		return nil, nil
	}
	return append([]byte(nil), t.rec(lf.buf, 0)...), nil
}

func cmpU32s(a, b []byte) int { return bytes.Compare(a, b) } // big-endian: byte order is numeric order
