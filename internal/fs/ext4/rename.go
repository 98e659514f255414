package ext4

import (
	iofs "io/fs"
	"strings"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Rename implements fs.FS.
func (f *FS) Rename(from, to string) error {
	if err := f.begin("rename", to); err != nil {
		return err
	}
	return f.end("rename", to, f.rename(from, to))
}

func (f *FS) rename(from, to string) error {
	if from == to {
		_, err := f.resolve("rename", from)
		return err
	}
	if strings.HasPrefix(to, from+"/") {
		return perr("rename", to, iofs.ErrInvalid)
	}
	sd, sname, err := f.parentOf("rename", from)
	if err != nil {
		return err
	}
	n, err := f.lookupIn(sd, sname)
	if err != nil {
		return err
	}
	if n == nil {
		return perr("rename", from, iofs.ErrNotExist)
	}
	dd, dname, err := f.parentOf("rename", to)
	if err != nil {
		return err
	}
	if dd.Ino == sd.Ino {
		dd = sd
	}
	old, err := f.lookupIn(dd, dname)
	if err != nil {
		return err
	}
	for _, x := range []*Inode{sd, dd} {
		if err := f.editable(x); err != nil {
			return err
		}
	}
	if old != nil {
		if old.Ino == n.Ino {
			return nil
		}
		switch {
		case old.IsDir() && !n.IsDir():
			return perr("rename", to, fs.ErrIsDir)
		case !old.IsDir() && n.IsDir():
			return perr("rename", to, fs.ErrNotDir)
		case old.IsDir():
			empty, err := f.dirIsEmpty(old)
			if err != nil {
				return err
			}
			if !empty {
				return perr("rename", to, fs.ErrNotEmpty)
			}
		}
	}
	if n.IsDir() && dd != sd {
		if err := f.editable(n); err != nil {
			return err
		}
		// Refuse moving a directory under itself (through hard paths).
		for cur, hops := dd, 0; cur.Ino != rootIno; hops++ {
			if cur.Ino == n.Ino || hops > 4096 {
				return perr("rename", to, iofs.ErrInvalid)
			}
			d, _, err := f.findEntry(cur, "..")
			if err != nil || d == nil {
				return f.corrupt("directory inode %d has no parent entry", cur.Ino)
			}
			if cur, err = f.readInode(d.Ino); err != nil {
				return err
			}
		}
	}
	ft := ftFromMode(n.Mode())
	if old != nil {
		if err := f.setEntryIno(dd, dname, n.Ino, ft); err != nil {
			return err
		}
	} else if err := f.addEntry(dd, dname, n.Ino, ft); err != nil {
		return err
	}
	if err := f.removeEntry(sd, sname); err != nil {
		return err
	}
	now := time.Now()
	if old != nil {
		if old.IsDir() {
			decDirLinks(dd)
			if err := f.releaseInode(old); err != nil {
				return err
			}
		} else if err := f.dropLink(old); err != nil {
			return err
		}
	}
	if n.IsDir() && dd != sd {
		if err := f.setEntryIno(n, "..", dd.Ino, ftDir); err != nil {
			return err
		}
		decDirLinks(sd)
		if l := dd.Links(); l != 1 {
			if l+1 >= maxLinks {
				dd.put16(iLinks, 1)
			} else {
				dd.put16(iLinks, l+1)
			}
		}
	}
	n.setCtime(now)
	if err := f.writeInode(n); err != nil {
		return err
	}
	touch(sd)
	touch(dd)
	if err := f.writeInode(sd); err != nil {
		return err
	}
	if dd != sd {
		return f.writeInode(dd)
	}
	return nil
}
