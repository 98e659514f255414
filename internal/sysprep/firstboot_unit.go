package sysprep

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Some cleanups leave work that only the guest can do (regenerate SSH host
// keys, rebuild the CA store). virt-sysprep runs such commands on the host
// through its appliance; we never run guest code, so we install a oneshot
// systemd unit that does it at the clone's first boot instead.

const systemdUnitDir = "/etc/systemd/system"

// selinuxXattr is the extended attribute holding a file's SELinux label.
const selinuxXattr = "security.selinux"

// firstBootUnit is a systemd unit file to install and enable.
type firstBootUnit struct {
	Name     string   // e.g. "sysprep-ssh-hostkeys.service"
	Text     string   // the unit file
	WantedBy []string // units whose .wants/ directory gets the enable symlink
}

// hasSystemd reports whether the guest boots systemd, judged by its
// configuration directory (every systemd distro ships it).
func hasSystemd(e *Env) bool { return isDir(e, systemdUnitDir) }

// findUnit reports whether the guest ships the unit file name, in any of
// systemd's system unit directories, and whether that file is a regular
// file (not an alias symlink).
func findUnit(e *Env, name string) (found, regular bool) {
	for _, dir := range []string{systemdUnitDir, "/usr/lib/systemd/system", "/lib/systemd/system"} {
		st, ok, err := lstat(e, path.Join(dir, name))
		if err == nil && ok {
			return true, st.IsRegular()
		}
	}
	return false, false
}

// installFirstBootUnit writes the unit (mode 0644) into /etc/systemd/system
// and enables it like `systemctl enable` would, with an absolute symlink in
// each WantedBy unit's .wants directory. New files get the SELinux label of
// /etc/systemd/system when it has one, so an enforcing guest can read them
// before any relabel. Nothing is rewritten when already in place.
func installFirstBootUnit(e *Env, u firstBootUnit) error {
	if !hasSystemd(e) {
		return fmt.Errorf("%s: the guest has no %s (not a systemd guest)", u.Name, systemdUnitDir)
	}
	label := dirLabel(e, systemdUnitDir)
	unitPath := path.Join(systemdUnitDir, u.Name)
	existed := exists(e, unitPath)
	if err := writeIfChanged(e, unitPath, []byte(u.Text), 0o644); err != nil {
		return err
	}
	if err := chmodIfChanged(e, unitPath, 0o644); err != nil {
		return err
	}
	if !existed {
		if err := setLabel(e, unitPath, label); err != nil {
			return err
		}
	}
	for _, w := range u.WantedBy {
		wants := path.Join(systemdUnitDir, w+".wants")
		if !exists(e, wants) {
			if err := fs.MkdirAll(e.Root, wants, 0o755); err != nil {
				return fmt.Errorf("mkdir %s: %w", wants, err)
			}
			if err := setLabel(e, wants, label); err != nil {
				return err
			}
		}
		link := path.Join(wants, u.Name)
		st, ok, err := lstat(e, link)
		if err != nil {
			return err
		}
		if ok {
			if st.IsSymlink() {
				if t, err := e.Root.Readlink(link); err == nil && t == unitPath {
					continue
				}
			}
			if st.IsDir() {
				return fmt.Errorf("%s: is a directory; remove it to let sysprep enable %s", link, u.Name)
			}
			if err := e.Root.Remove(link); err != nil {
				return fmt.Errorf("remove %s: %w", link, err)
			}
		}
		if err := e.Root.Symlink(unitPath, link); err != nil {
			return fmt.Errorf("symlink %s: %w", link, err)
		}
		if err := setLabel(e, link, label); err != nil {
			return err
		}
	}
	return nil
}

// dirLabel returns the SELinux label of dir, or nil.
func dirLabel(e *Env, dir string) []byte {
	xs, err := e.Root.GetXattrs(dir)
	if err != nil {
		return nil
	}
	return xs[selinuxXattr]
}

func setLabel(e *Env, p string, label []byte) error {
	if label == nil {
		return nil
	}
	if err := e.Root.SetXattr(p, selinuxXattr, label); err != nil && !errors.Is(err, iofs.ErrInvalid) {
		return fmt.Errorf("label %s: %w", p, err)
	}
	return nil
}
