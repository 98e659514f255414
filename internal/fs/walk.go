package fs

import (
	"errors"
	iofs "io/fs"
	"path"
)

// MaxDepth bounds recursion in WalkDir and RemoveAll. A real guest tree is
// far shallower; a deeper one is hostile or corrupt.
const MaxDepth = 4096

// SkipDir and SkipAll have the meaning they have in io/fs.WalkDirFunc.
var (
	SkipDir = iofs.SkipDir
	SkipAll = iofs.SkipAll
)

// WalkDirFunc is called for each entry; see io/fs.WalkDirFunc. The root is
// reported with the Stat of its Lstat. Symlinks are never followed.
type WalkDirFunc func(p string, st Stat, err error) error

// WalkDir walks the tree rooted at root in lexical order, depth first,
// without following symlinks.
func WalkDir(f FS, root string, fn WalkDirFunc) error {
	st, err := f.Lstat(root)
	if err != nil {
		err = fn(root, Stat{}, err)
	} else {
		err = walk(f, root, st, fn, 0)
	}
	if errors.Is(err, SkipDir) || errors.Is(err, SkipAll) {
		return nil
	}
	return err
}

func walk(f FS, p string, st Stat, fn WalkDirFunc, depth int) error {
	if err := fn(p, st, nil); err != nil || !st.IsDir() {
		if errors.Is(err, SkipDir) && st.IsDir() {
			return nil
		}
		return err
	}
	if depth >= MaxDepth {
		return fn(p, st, &iofs.PathError{Op: "walk", Path: p, Err: ErrLoop})
	}
	ents, err := f.ReadDir(p)
	if err != nil {
		if err = fn(p, st, err); err != nil {
			if errors.Is(err, SkipDir) {
				return nil
			}
			return err
		}
		return nil
	}
	for _, e := range ents {
		cp := path.Join(p, e.Name)
		cst, err := f.Lstat(cp)
		if err != nil {
			if err := fn(cp, Stat{}, err); err != nil && !errors.Is(err, SkipDir) {
				return err
			}
			continue
		}
		if err := walk(f, cp, cst, fn, depth+1); err != nil {
			if errors.Is(err, SkipDir) {
				// SkipDir from a non-directory skips the rest of its parent.
				return nil
			}
			return err
		}
	}
	return nil
}
