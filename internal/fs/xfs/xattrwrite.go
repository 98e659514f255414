package xfs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"strings"
)

// splitXattrName maps a Linux xattr name to the XFS namespace flags and
// the stored name.
func (f *FS) splitXattrName(name string) (uint8, string, error) {
	for _, ns := range []struct {
		prefix string
		flags  uint8
	}{{"user.", 0}, {"trusted.", attrFlagRoot}, {"security.", attrFlagSecure}} {
		if rest, ok := strings.CutPrefix(name, ns.prefix); ok && rest != "" {
			return ns.flags, rest, nil
		}
	}
	return 0, "", fmt.Errorf("xfs: %s: setting the extended attribute %q (namespace other than user, trusted, security) is not supported: %w", f.name, name, errUnsupported)
}

// dataForkUse returns the bytes the data fork needs in the literal area.
func (f *FS) dataForkUse(n *Inode) (int, error) {
	switch n.Format() {
	case fmtLocal:
		return (int(n.Size()) + 7) &^ 7, nil
	case fmtExtents:
		return int(n.Nextents()) * extentRecSize, nil
	case fmtDev:
		return 8, nil
	case fmtBtree:
		if n.Raw[diOffForkoff] != 0 {
			return len(n.dataFork()), nil // the btree root keeps its room
		}
	}
	return 0, fmt.Errorf("xfs: %s: inode %d: adding an attribute fork next to a btree-format data fork is not supported: %w", f.name, n.Ino, errUnsupported)
}

// writeShortformAttrs stores xs as the inode's shortform attribute fork,
// moving the fork offset if needed, or removes the fork when xs is empty.
func (f *FS) writeShortformAttrs(n *Inode, xs []xattr) error {
	lit := len(n.Raw) - diCoreSize
	if len(xs) == 0 {
		clear(n.Raw[diCoreSize+int(n.Raw[diOffForkoff])*8:])
		// A btree root's layout depends on the fork size: keep the offset
		// (an empty extents-format attribute fork, as the kernel makes).
		if n.Format() != fmtBtree {
			n.Raw[diOffForkoff] = 0
		}
		n.Raw[diOffAformat] = fmtExtents
		n.setANextents(0)
		return nil
	}
	tot := 4
	for _, x := range xs {
		if len(x.name) > 255 || len(x.value) > 255 {
			return errTooBigForShortform
		}
		tot += 3 + len(x.name) + len(x.value)
	}
	use, err := f.dataForkUse(n)
	if err != nil {
		return err
	}
	fo := int(n.Raw[diOffForkoff]) * 8
	if fo == 0 || fo < use || lit-fo < tot {
		fo = (lit - tot) &^ 7
		if fo < use || fo <= 0 {
			return errTooBigForShortform
		}
	}
	// Move the data fork's bytes if the offset shrinks below them (they
	// stay at the start of the literal area, so only the tail is cleared).
	n.Raw[diOffForkoff] = byte(fo / 8)
	a := n.Raw[diCoreSize+fo:]
	clear(a)
	putBE16(a, 0, uint16(tot))
	a[2] = byte(len(xs))
	p := 4
	for _, x := range xs {
		a[p], a[p+1], a[p+2] = byte(len(x.name)), byte(len(x.value)), x.flags
		copy(a[p+3:], x.name)
		copy(a[p+3+len(x.name):], x.value)
		p += 3 + len(x.name) + len(x.value)
	}
	n.Raw[diOffAformat] = fmtLocal
	n.setANextents(0)
	return nil
}

// editXattrs applies fn to the inode's attributes (shortform forks only).
func (f *FS) editXattrs(n *Inode, fn func([]xattr) ([]xattr, error)) error {
	leaf := n.attrFork() != nil && n.AFormat() != fmtLocal && !(n.AFormat() == fmtExtents && n.ANextents() == 0)
	xs, err := f.readXattrs(n)
	if err != nil {
		return err
	}
	if xs, err = fn(xs); err != nil {
		return err
	}
	switch {
	case leaf && len(xs) == 0:
		// Drop the leaf block with the fork.
		freed, err := f.freeFork(n, forkAttr)
		if err != nil {
			return err
		}
		n.addNblocks(-int64(freed))
		if err := f.writeShortformAttrs(n, nil); err != nil {
			return err
		}
	case leaf:
		if err := f.writeLeafAttrs(n, xs); err != nil {
			return err
		}
	default:
		err := f.writeShortformAttrs(n, xs)
		if errors.Is(err, errTooBigForShortform) {
			err = f.writeLeafAttrs(n, xs)
		}
		if err != nil {
			return err
		}
	}
	n.touch(false)
	return nil
}

// SetXattr implements fs.FS (shortform attribute forks).
func (f *FS) SetXattr(p, name string, value []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("setxattr", p, func() error {
		if name == "" || len(name) > 255 || len(value) > 65536 {
			return iofs.ErrInvalid
		}
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		flags, short, err := f.splitXattrName(name)
		if err != nil {
			return err
		}
		return f.editXattrs(n, func(xs []xattr) ([]xattr, error) {
			for i := range xs {
				if xs[i].flags == flags && xs[i].name == short {
					xs[i].value = append([]byte(nil), value...)
					return xs, nil
				}
			}
			return append(xs, xattr{flags: flags, name: short, value: append([]byte(nil), value...)}), nil
		})
	})
}

// RemoveXattr implements fs.FS (shortform attribute forks).
func (f *FS) RemoveXattr(p, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.run("removexattr", p, func() error {
		n, err := f.resolveTx(p)
		if err != nil {
			return err
		}
		flags, short, err := f.splitXattrName(name)
		if err != nil {
			return iofs.ErrNotExist
		}
		return f.editXattrs(n, func(xs []xattr) ([]xattr, error) {
			for i := range xs {
				if xs[i].flags == flags && xs[i].name == short {
					return append(xs[:i], xs[i+1:]...), nil
				}
			}
			return nil, iofs.ErrNotExist
		})
	})
}

// errTooBigForShortform makes editXattrs move the attributes to a leaf block.
var errTooBigForShortform = errors.New("attributes do not fit in the inode")
