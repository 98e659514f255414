package customize

// validateWrite checks FILE:CONTENT.
func validateWrite(arg string) error {
	parts, err := splitN(arg, 2, "FILE:CONTENT")
	if err != nil {
		return err
	}
	_, err = guestPath("file", parts[0])
	return err
}

// applyWrite creates or overwrites FILE with CONTENT verbatim (no newline
// added). A new file is 0644 root:root; an existing one keeps its mode,
// owner and xattrs. A final symlink is followed inside the guest.
func applyWrite(r *run, arg string) error {
	parts, _ := splitN(arg, 2, "FILE:CONTENT")
	p, _ := guestPath("file", parts[0])
	return r.writeFile(p, []byte(parts[1]), 0o644)
}
