package xfs

// Remote symlink block header (struct xfs_dsymlink_hdr).
const (
	symlinkMagic     = 0x58534c4d // "XSLM"
	symlinkOffOffset = 4
	symlinkOffBytes  = 8
	symlinkOffCRC    = 12
	symlinkOffUUID   = 16
	symlinkOffOwner  = 32
	symlinkOffBlkno  = 40
	symlinkHdrSize   = 56
	maxSymlinkLen    = 1024
)

// readSymlink returns a symlink's target.
func (f *FS) readSymlink(n *Inode) (string, error) {
	size := n.Size()
	if size <= 0 || size > maxSymlinkLen {
		return "", f.corrupt("symlink inode %d: length %d", n.Ino, size)
	}
	if n.Format() == fmtLocal {
		lit := n.dataFork()
		if size > int64(len(lit)) {
			return "", f.corrupt("symlink inode %d: inline length %d", n.Ino, size)
		}
		return string(lit[:size]), nil
	}
	exts, err := f.forkExtents(n, forkData)
	if err != nil {
		return "", err
	}
	out := make([]byte, 0, size)
	for _, e := range exts {
		for i := uint64(0); i < e.Len && int64(len(out)) < size; i++ {
			b, off, err := f.readFSB(e.Start+i, 1)
			if err != nil {
				return "", err
			}
			if be32(b, 0) != symlinkMagic {
				return "", f.corrupt("symlink inode %d: block at byte %d: bad magic", n.Ino, off)
			}
			if err := f.checkBlockHeader("symlink block", b, off, symlinkOffCRC, symlinkOffUUID, symlinkOffBlkno, symlinkOffOwner, n.Ino, false); err != nil {
				return "", err
			}
			o, cnt := int64(be32(b, symlinkOffOffset)), int(be32(b, symlinkOffBytes))
			if o != int64(len(out)) || cnt > len(b)-symlinkHdrSize || int64(len(out)+cnt) > size {
				return "", f.corrupt("symlink inode %d: block at byte %d holds bytes %d+%d", n.Ino, off, o, cnt)
			}
			out = append(out, b[symlinkHdrSize:symlinkHdrSize+cnt]...)
		}
	}
	if int64(len(out)) != size {
		return "", f.corrupt("symlink inode %d: %d of %d bytes mapped", n.Ino, len(out), size)
	}
	return string(out), nil
}
