package customize

import (
	"errors"
	"fmt"
	"strings"
)

// validateTimezone accepts zone names such as "Europe/Paris", "UTC" or
// "Etc/GMT+5": characters [A-Za-z0-9_+-/], no empty, "." or ".." component.
func validateTimezone(arg string) error {
	if arg == "" {
		return errors.New("empty time zone")
	}
	if len(arg) > 255 {
		return fmt.Errorf("time zone name too long (%d characters)", len(arg))
	}
	for _, c := range arg {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+-/", c)) {
			return fmt.Errorf("bad time zone %q: only letters, digits and _ + - / are allowed", arg)
		}
	}
	for _, part := range strings.Split(arg, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("bad time zone %q: want a name such as Europe/Paris", arg)
		}
	}
	return nil
}

// applyTimezone points /etc/localtime at the guest's zoneinfo file, with
// an absolute symlink as virt-customize makes, and on the Debian family
// also writes /etc/timezone, which tzdata and dpkg-reconfigure read.
func applyTimezone(r *run, tz string) error {
	zone := "/usr/share/zoneinfo/" + tz
	_, st, err := r.stat(zone)
	if isNotExist(err) {
		return fmt.Errorf("time zone %q: %s does not exist in the guest (is tzdata installed? is the name right?)", tz, zone)
	}
	if err != nil {
		return err
	}
	if !st.IsRegular() {
		return fmt.Errorf("time zone %q: %s is not a zone file", tz, zone)
	}
	st, err = r.root.Lstat("/etc/localtime")
	switch {
	case err == nil && st.IsDir():
		return errors.New("/etc/localtime is a directory")
	case err == nil:
		if err := r.root.Remove("/etc/localtime"); err != nil {
			return err
		}
	case !isNotExist(err):
		return err
	}
	if err := r.needParent("/etc/localtime"); err != nil {
		return err
	}
	if err := r.root.Symlink(zone, "/etc/localtime"); err != nil {
		return err
	}
	if r.g.IsDebianLike() {
		return r.writeFile("/etc/timezone", []byte(tz+"\n"), 0o644)
	}
	return nil
}
