package ext4

import (
	iofs "io/fs"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// releaseInode frees an unlinked inode: its blocks, its xattr block
// reference and its number. The record keeps its mode with links 0 and a
// deletion time, as the kernel leaves it.
func (f *FS) releaseInode(n *Inode) error {
	if n.Flags()&flagInlineData == 0 {
		m, err := f.readMapping(n)
		if err != nil {
			return err
		}
		if err := f.freeMapping(m); err != nil {
			return err
		}
	}
	if b := n.FileACL(); b != 0 {
		if err := f.releaseXattrBlock(n, b); err != nil {
			return err
		}
		n.setFileACL(0)
	}
	dir := n.IsDir()
	n.put16(iLinks, 0)
	n.put32(iDtime, uint32(time.Now().Unix()))
	n.setBlocks512(0)
	n.setSize(0)
	clear(n.Raw[iBlock : iBlock+iBlockLen])
	n.put32(iFlags, n.Flags()&^(flagExtents|flagIndex))
	if err := f.writeInode(n); err != nil {
		return err
	}
	return f.freeInode(n.Ino, dir)
}

// dropLink removes one link from a non-directory, freeing it at zero.
func (f *FS) dropLink(n *Inode) error {
	if n.Links() <= 1 {
		return f.releaseInode(n)
	}
	n.put16(iLinks, n.Links()-1)
	n.setCtime(time.Now())
	return f.writeInode(n)
}

// decDirLinks drops the link a removed subdirectory's ".." held.
func decDirLinks(dir *Inode) {
	if l := dir.Links(); l > 2 {
		dir.put16(iLinks, l-1)
	}
}

// Remove implements fs.FS.
func (f *FS) Remove(p string) error {
	if err := f.begin("remove", p); err != nil {
		return err
	}
	return f.end("remove", p, f.remove(p))
}

func (f *FS) remove(p string) error {
	dir, name, err := f.parentOf("remove", p)
	if err != nil {
		return err
	}
	n, err := f.lookupIn(dir, name)
	if err != nil {
		return err
	}
	if n == nil {
		return perr("remove", p, iofs.ErrNotExist)
	}
	if err := f.editable(dir); err != nil {
		return err
	}
	if n.IsDir() {
		if n.Flags()&flagInlineData != 0 {
			return f.editable(n)
		}
		empty, err := f.dirIsEmpty(n)
		if err != nil {
			return err
		}
		if !empty {
			return perr("remove", p, fs.ErrNotEmpty)
		}
	}
	if err := f.removeEntry(dir, name); err != nil {
		return err
	}
	touch(dir)
	if n.IsDir() {
		decDirLinks(dir)
		if err := f.releaseInode(n); err != nil {
			return err
		}
	} else if err := f.dropLink(n); err != nil {
		return err
	}
	return f.writeInode(dir)
}
