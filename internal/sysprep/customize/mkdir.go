package customize

import "github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"

func validateMkdir(arg string) error {
	_, err := guestPath("directory", arg)
	return err
}

// applyMkdir is mkdir -p: missing directories are made 0755 root:root; an
// existing directory is fine, an existing non-directory is an error.
func applyMkdir(r *run, arg string) error {
	p, _ := guestPath("directory", arg)
	return fs.MkdirAll(r.root, p, 0o755)
}
