package customize

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func validateDelete(arg string) error {
	p, err := guestPath("path", arg)
	if err != nil {
		return err
	}
	if p == "/" {
		return errors.New("refusing to delete the whole guest")
	}
	for _, c := range strings.Split(p, "/") {
		if _, err := path.Match(c, ""); err != nil {
			return fmt.Errorf("bad glob pattern (component %q)", c)
		}
	}
	return nil
}

// applyDelete removes every match of the guest glob (rm -rf, symlinks not
// followed). No match is not an error.
func applyDelete(r *run, arg string) error {
	p, _ := guestPath("path", arg)
	matches, err := fs.Glob(r.root, p)
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		r.logf("customize: --delete %s: nothing matched", p)
	}
	for _, m := range matches {
		if m == "/" {
			continue
		}
		if err := fs.RemoveAll(r.root, m, nil); err != nil {
			return err
		}
	}
	return nil
}
