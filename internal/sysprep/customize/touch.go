package customize

import "fmt"

func validateTouch(arg string) error {
	_, err := guestPath("file", arg)
	return err
}

// applyTouch creates an empty file (0644 root:root) or sets the times of
// an existing one to now, following a final symlink.
func applyTouch(r *run, arg string) error {
	p, _ := guestPath("file", arg)
	rp, st, err := r.stat(p)
	if isNotExist(err) {
		return r.writeFile(rp, nil, 0o644)
	}
	if err != nil {
		return err
	}
	if st.IsSymlink() {
		return fmt.Errorf("%s: dangling symlink", p)
	}
	t := now()
	return r.root.Chtimes(rp, t, t)
}
