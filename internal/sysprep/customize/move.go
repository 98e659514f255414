package customize

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"syscall"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func parseSrcDest(arg string) (src, dest string, err error) {
	parts, err := splitN(arg, 2, "SRC:DEST")
	if err != nil {
		return "", "", err
	}
	if src, err = guestPath("source", parts[0]); err != nil {
		return "", "", err
	}
	if dest, err = guestPath("destination", parts[1]); err != nil {
		return "", "", err
	}
	if src == "/" {
		return "", "", errors.New("the source cannot be the guest root")
	}
	return src, dest, nil
}

func validateMove(arg string) error {
	_, _, err := parseSrcDest(arg)
	return err
}

// target resolves DEST like mv and cp: an existing directory receives SRC
// under its own name.
func (r *run) target(src, dest string) (string, error) {
	if r.isDir(dest) {
		rp, err := r.resolve(dest)
		if err != nil {
			return "", err
		}
		dest = path.Join(rp, path.Base(src))
	}
	if dest == src || strings.HasPrefix(dest, src+"/") {
		return "", fmt.Errorf("cannot move or copy %s into itself (%s)", src, dest)
	}
	return dest, nil
}

// applyMove is mv inside the guest. Across mount points (where the guest
// root cannot rename) it copies like cp -a, then removes the source.
func applyMove(r *run, arg string) error {
	src, dest, _ := parseSrcDest(arg)
	if ok, err := r.exists(src); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%s does not exist in the guest", src)
	}
	dest, err := r.target(src, dest)
	if err != nil {
		return err
	}
	err = r.root.Rename(src, dest)
	if errors.Is(err, syscall.EXDEV) || errors.Is(err, fs.ErrUnsupported) {
		if err := r.copyTree(src, dest); err != nil {
			return err
		}
		return fs.RemoveAll(r.root, src, nil)
	}
	return err
}
