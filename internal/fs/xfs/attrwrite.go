package xfs

import (
	iofs "io/fs"
	"time"
)

// Chmod implements fs.FS: permission, setuid, setgid and sticky bits.
func (f *FS) Chmod(p string, perm iofs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("chmod", p, func() error {
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		m := uint16(perm.Perm())
		if perm&iofs.ModeSetuid != 0 {
			m |= 0o4000
		}
		if perm&iofs.ModeSetgid != 0 {
			m |= 0o2000
		}
		if perm&iofs.ModeSticky != 0 {
			m |= 0o1000
		}
		putBE16(n.Raw, diOffMode, n.Mode()&0o170000|m)
		n.touch(false)
		return nil
	})
}

// Lchown implements fs.FS.
func (f *FS) Lchown(p string, uid, gid int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("lchown", p, func() error {
		if uid < 0 || gid < 0 || int64(uid) > 1<<32-1 || int64(gid) > 1<<32-1 {
			return iofs.ErrInvalid
		}
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		putBE32(n.Raw, diOffUid, uint32(uid))
		putBE32(n.Raw, diOffGid, uint32(gid))
		n.touch(false)
		return nil
	})
}

// Chtimes implements fs.FS.
func (f *FS) Chtimes(p string, atime, mtime time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("chtimes", p, func() error {
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		n.setTime(diOffAtime, atime)
		n.setTime(diOffMtime, mtime)
		n.touch(false)
		return nil
	})
}

// resolveTx resolves p and returns the transaction's copy of its inode.
func (f *FS) resolveTx(p string) (*Inode, error) {
	n, err := f.resolve("", p)
	if err != nil {
		return nil, unwrapPath(err)
	}
	return f.txInode(n)
}
