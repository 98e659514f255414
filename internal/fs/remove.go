package fs

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
)

// RemoveAll removes p and, if it is a directory, everything below it,
// without following symlinks. A missing p is not an error. It calls removed
// (when not nil) for every path it unlinked, children before parents.
func RemoveAll(f FS, p string, removed func(p string)) error {
	return removeAll(f, p, removed, 0)
}

func removeAll(f FS, p string, removed func(string), depth int) error {
	st, err := f.Lstat(p)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, ErrNotDir) {
			return nil
		}
		return err
	}
	if st.IsDir() {
		if depth >= MaxDepth {
			return &iofs.PathError{Op: "removeall", Path: p, Err: ErrLoop}
		}
		ents, err := f.ReadDir(p)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := removeAll(f, path.Join(p, e.Name), removed, depth+1); err != nil {
				return err
			}
		}
	}
	if p == "/" {
		return nil // the root itself is never removed, only emptied
	}
	if err := f.Remove(p); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	if removed != nil {
		removed(p)
	}
	return nil
}

// MkdirAll creates p and any missing parents with mode perm (like mkdir -p).
// An existing directory is not an error; an existing non-directory is.
func MkdirAll(f FS, p string, perm iofs.FileMode) error {
	st, err := f.Lstat(p)
	if err == nil {
		if st.IsDir() {
			return nil
		}
		return &iofs.PathError{Op: "mkdir", Path: p, Err: ErrNotDir}
	}
	if !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	if parent := path.Dir(p); parent != p {
		if err := MkdirAll(f, parent, perm); err != nil {
			return err
		}
	}
	err = f.Mkdir(p, perm)
	if errors.Is(err, iofs.ErrExist) {
		return nil
	}
	return err
}
