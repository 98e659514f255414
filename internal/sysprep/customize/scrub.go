package customize

import (
	"fmt"
)

func validateScrub(arg string) error {
	_, err := guestPath("file", arg)
	return err
}

// scrubMax bounds the zero buffer (fs.FS writes whole files). A bigger
// file is truncated instead: its blocks become free, and the exporter
// never copies free blocks into the output image.
const scrubMax = 64 << 20

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
		r.logf("customize: --scrub %s: %d bytes: truncated (its blocks are freed, and free blocks never reach the output image)", p, st.Size)
		if err := r.root.Truncate(p, 0); err != nil {
			return err
		}
	} else if err := r.root.WriteFile(p, make([]byte, st.Size), 0o644); err != nil {
		return err
	}
	return r.root.Remove(p)
}
