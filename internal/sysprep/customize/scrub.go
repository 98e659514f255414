package customize

import (
	"fmt"
)

func validateScrub(arg string) error {
	_, err := guestPath("file", arg)
	return err
}

// scrubMax bounds the zero buffer: fs.FS writes whole files.
const scrubMax = 1 << 30

// applyScrub overwrites a regular file with zeros, then deletes it. A
// missing path, or anything but a regular file, is an error.
func applyScrub(r *run, arg string) error {
	p, _ := guestPath("file", arg)
	st, err := r.root.Lstat(p)
	if isNotExist(err) {
		return fmt.Errorf("%s does not exist in the guest", p)
	}
	if err != nil {
		return err
	}
	if !st.IsRegular() {
		return fmt.Errorf("%s is not a regular file (scrub only handles regular files)", p)
	}
	if st.Size > scrubMax {
		return fmt.Errorf("%s: %d bytes, more than the %d scrub handles", p, st.Size, int64(scrubMax))
	}
	if err := r.root.WriteFile(p, make([]byte, st.Size), 0o644); err != nil {
		return err
	}
	return r.root.Remove(p)
}
