package customize

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func validateUpload(arg string) error {
	parts, err := splitN(arg, 2, "HOSTFILE:DEST")
	if err != nil {
		return err
	}
	_, err = guestPath("destination", parts[1])
	return err
}

// readHostFile reads a regular host file of bounded size.
func readHostFile(p string) ([]byte, os.FileInfo, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", p)
	}
	if st.Size() > fs.MaxReadFile {
		return nil, nil, fmt.Errorf("%s: %d bytes, more than the %d this tool copies into a guest", p, st.Size(), int64(fs.MaxReadFile))
	}
	data, err := os.ReadFile(p)
	return data, st, err
}

// applyUpload copies a host file into the guest (into DEST/basename when
// DEST is a directory). The file ends up with the host file's permission
// bits (& 0777) and owner root:root: unlike virt-customize, the host's uid
// and gid never leak into the image.
func applyUpload(r *run, arg string) error {
	parts, _ := splitN(arg, 2, "HOSTFILE:DEST")
	data, st, err := readHostFile(parts[0])
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	dest, _ := guestPath("destination", parts[1])
	if r.isDir(dest) {
		dest = path.Join(dest, filepath.Base(parts[0]))
	}
	rp, err := r.resolve(dest)
	if err != nil {
		return err
	}
	mode := fileMode(uint32(st.Mode().Perm()))
	if err := r.writeFile(rp, data, mode); err != nil {
		return err
	}
	if err := r.root.Chmod(rp, mode); err != nil {
		return err
	}
	return r.root.Lchown(rp, 0, 0)
}
