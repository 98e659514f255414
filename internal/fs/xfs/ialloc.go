package xfs

import (
	"bytes"
	"fmt"
)

const (
	inobtMagic   = 0x49414233 // "IAB3"
	finobtMagic  = 0x46494233 // "FIB3"
	agiOffNewIno = 32
)

func (f *FS) inobt(agno uint32, agi *AGI, free bool) *sbtree {
	t := &sbtree{f: f, name: "inode btree (inobt)", agno: agno, root: agi.Root, levels: int(agi.Level),
		magic: inobtMagic, recSize: 16, keySize: 4, cmpKey: func(a, b []byte) int { return bytes.Compare(a[:4], b[:4]) }}
	if free {
		t.name, t.root, t.levels, t.magic = "free inode btree (finobt)", agi.FreeRoot, int(agi.FreeLevel), finobtMagic
	}
	return t
}

// agino splits an inode number into AG and AG-relative inode number.
func (f *FS) agino(ino uint64) (uint32, uint32) {
	bits := uint(f.sb.InoPBLog) + uint(f.sb.AGBlkLog)
	return uint32(ino >> bits), uint32(ino & (1<<bits - 1))
}

func (f *FS) txAGI(agno uint32) (*AGI, []byte, error) {
	agi, err := f.readAGI(agno)
	if err != nil {
		return nil, nil, err
	}
	raw, err := f.txGet(agi.off, len(agi.raw), agiOffCRC)
	return agi, raw, err
}

// freeInodeNumber marks an inode free in the inobt and finobt and updates
// the AGI and superblock counters.
func (f *FS) freeInodeNumber(ino uint64) error {
	agno, agi0 := f.agino(ino)
	agi, raw, err := f.txAGI(agno)
	if err != nil {
		return err
	}
	it := f.inobt(agno, agi, false)
	key := make([]byte, 4)
	putBE32(key, 0, agi0)
	le, _, err := it.neighbours(key)
	if err != nil {
		return err
	}
	if le == nil || be32(le, 0) > agi0 || agi0-be32(le, 0) >= 64 {
		return f.corrupt("inode %d is in no inode chunk", ino)
	}
	bit := uint64(1) << (agi0 - be32(le, 0))
	free := be64(le, 8)
	if free&bit != 0 {
		return f.corrupt("inode %d is already free", ino)
	}
	oldFree := le[7]
	le[7]++
	putBE64(le, 8, free|bit)
	if err := it.update(le); err != nil {
		return err
	}
	if f.sb.ROCompat&roCompatFinobt != 0 {
		ft := f.inobt(agno, agi, true)
		if oldFree == 0 {
			err = ft.insert(le)
		} else {
			err = ft.update(le)
		}
		if err != nil {
			return err
		}
	}
	putBE32(raw, agiOffFreeCount, be32(raw, agiOffFreeCount)+1)
	return f.addSB64(sbOffIfree, 1)
}

// allocInodeNumber takes a free inode from an existing chunk, preferring
// AG agno. Allocating new inode chunks is not supported.
func (f *FS) allocInodeNumber(agno uint32) (uint64, error) {
	for i := uint32(0); i < f.sb.AGCount; i++ {
		a := (agno + i) % f.sb.AGCount
		agi, raw, err := f.txAGI(a)
		if err != nil {
			return 0, err
		}
		if agi.FreeCount == 0 {
			continue
		}
		finobt := f.sb.ROCompat&roCompatFinobt != 0
		ft := f.inobt(a, agi, true)
		var rec []byte
		if finobt {
			rec, err = ft.first()
		} else {
			rec, err = f.firstFreeInobtRec(a, agi)
		}
		if err != nil {
			return 0, err
		}
		if rec == nil {
			return 0, f.corrupt("AG %d: the AGI counts %d free inodes but the finobt is empty", a, agi.FreeCount)
		}
		holes := be16(rec, 4)
		free := be64(rec, 8)
		slot := -1
		for j := 0; j < 64; j++ {
			if free&(1<<j) != 0 && holes&(1<<(j/4)) == 0 {
				slot = j
				break
			}
		}
		if slot < 0 || rec[7] == 0 {
			return 0, f.corrupt("AG %d: finobt record %d has no free inode", a, be32(rec, 0))
		}
		free &^= 1 << slot
		putBE64(rec, 8, free)
		rec[7]--
		switch {
		case !finobt:
		case rec[7] == 0:
			err = ft.remove(rec[:4])
		default:
			err = ft.update(rec)
		}
		if err != nil {
			return 0, err
		}
		if err := f.inobt(a, agi, false).update(rec); err != nil {
			return 0, err
		}
		putBE32(raw, agiOffFreeCount, be32(raw, agiOffFreeCount)-1)
		if err := f.addSB64(sbOffIfree, -1); err != nil {
			return 0, err
		}
		agino := uint64(be32(rec, 0)) + uint64(slot)
		return uint64(a)<<(uint(f.sb.InoPBLog)+uint(f.sb.AGBlkLog)) | agino, nil
	}
	for i := uint32(0); i < f.sb.AGCount; i++ {
		ok, err := f.allocInodeChunk((agno + i) % f.sb.AGCount)
		if err != nil {
			return 0, err
		}
		if ok {
			return f.allocInodeNumber((agno + i) % f.sb.AGCount)
		}
	}
	return 0, fmt.Errorf("xfs: %s: no room for a new inode chunk: %w", f.name, errNoSpace)
}

// firstFreeInobtRec finds the first inobt record with a free inode (for
// filesystems without a free inode btree).
func (f *FS) firstFreeInobtRec(agno uint32, agi *AGI) ([]byte, error) {
	var out []byte
	err := f.walkSbtLeaves(agno, agi.Root, agi.Level, inobtMagic, 16, 4, func(rec []byte) error {
		if out == nil && rec[7] > 0 {
			out = append([]byte(nil), rec...)
		}
		return nil
	})
	return out, err
}
