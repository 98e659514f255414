package customize

import (
	"fmt"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func validateTruncate(arg string) error {
	_, err := guestPath("file", arg)
	return err
}

// applyTruncate truncates an existing regular file to 0 bytes (a final
// symlink is followed); a missing file is an error, as in virt-customize.
func applyTruncate(r *run, arg string) error {
	p, _ := guestPath("file", arg)
	rp, st, err := r.stat(p)
	if isNotExist(err) {
		return fmt.Errorf("%s does not exist in the guest", p)
	}
	if err != nil {
		return err
	}
	if !st.IsRegular() {
		return fmt.Errorf("%s is not a regular file", p)
	}
	return r.root.Truncate(rp, 0)
}

func validateTruncateRecursive(arg string) error {
	_, err := guestPath("path", arg)
	return err
}

// applyTruncateRecursive truncates every regular file under PATH (PATH
// itself when it is a file). Symlinks are not followed; a missing PATH is
// an error.
func applyTruncateRecursive(r *run, arg string) error {
	p, _ := guestPath("path", arg)
	if ok, err := r.exists(p); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%s does not exist in the guest", p)
	}
	return fs.WalkDir(r.root, p, func(q string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		if cerr := r.ctx.Err(); cerr != nil {
			return cerr
		}
		if st.IsRegular() && st.Size > 0 {
			return r.root.Truncate(q, 0)
		}
		return nil
	})
}
