package customize

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func parseCopyIn(arg string) (local, dir string, err error) {
	parts, err := splitN(arg, 2, "LOCALPATH:REMOTEDIR")
	if err != nil {
		return "", "", err
	}
	dir, err = guestPath("remote directory", parts[1])
	return parts[0], dir, err
}

func validateCopyIn(arg string) error {
	_, _, err := parseCopyIn(arg)
	return err
}

// applyCopyIn copies a host file or directory tree into an existing guest
// directory, as REMOTEDIR/basename. Everything is owned by 0:0 and keeps
// the host permission bits & 0777; symlinks are copied as symlinks; other
// special files are refused.
func applyCopyIn(r *run, arg string) error {
	local, dir, _ := parseCopyIn(arg)
	rd, st, err := r.stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("remote directory %s does not exist in the guest", dir)
	}
	if _, err := os.Lstat(local); err != nil {
		return fmt.Errorf("copy-in: %w", err)
	}
	base := filepath.Base(filepath.Clean(local))
	if base == "/" || base == "." || base == ".." {
		return fmt.Errorf("copy-in: %q has no name to copy under %s", local, dir)
	}
	return r.copyIn(local, path.Join(rd, base), 0)
}

func (r *run) copyIn(local, dest string, depth int) error {
	if depth > fs.MaxDepth {
		return fmt.Errorf("copy-in: %s: tree too deep", local)
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	st, err := os.Lstat(local)
	if err != nil {
		return fmt.Errorf("copy-in: %w", err)
	}
	mode := fileMode(uint32(st.Mode().Perm()))
	switch {
	case st.IsDir():
		if !r.isDir(dest) {
			if err := r.root.Mkdir(dest, mode); err != nil {
				return err
			}
		}
		ents, err := os.ReadDir(local)
		if err != nil {
			return fmt.Errorf("copy-in: %w", err)
		}
		for _, e := range ents {
			if err := r.copyIn(filepath.Join(local, e.Name()), path.Join(dest, e.Name()), depth+1); err != nil {
				return err
			}
		}
	case st.Mode().IsRegular():
		data, _, err := readHostFile(local)
		if err != nil {
			return fmt.Errorf("copy-in: %w", err)
		}
		if old, err := r.root.Lstat(dest); err == nil && !old.IsRegular() {
			if old.IsDir() {
				return fmt.Errorf("copy-in: %s is a directory in the guest", dest)
			}
			if err := r.root.Remove(dest); err != nil {
				return err
			}
		}
		if err := r.root.WriteFile(dest, data, mode); err != nil {
			return err
		}
	case st.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(local)
		if err != nil {
			return fmt.Errorf("copy-in: %w", err)
		}
		if old, err := r.root.Lstat(dest); err == nil && !old.IsDir() {
			if err := r.root.Remove(dest); err != nil {
				return err
			}
		}
		if err := r.root.Symlink(target, dest); err != nil {
			return err
		}
		return r.root.Lchown(dest, 0, 0)
	default:
		return fmt.Errorf("copy-in: %s: cannot copy a %v (only files, directories and symlinks)", local, st.Mode().Type())
	}
	if err := r.root.Chmod(dest, mode); err != nil {
		return err
	}
	return r.root.Lchown(dest, 0, 0)
}
