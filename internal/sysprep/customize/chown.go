package customize

import (
	"fmt"
	"strconv"
)

const maxID = 1<<32 - 2 // (uid_t)-1 means "unchanged" to chown(2)

func parseChown(arg string) (uid, gid int, p string, err error) {
	parts, err := splitN(arg, 3, "UID:GID:PATH")
	if err != nil {
		return 0, 0, "", err
	}
	ids := [2]int{}
	for i, s := range parts[:2] {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n > maxID {
			return 0, 0, "", fmt.Errorf("bad numeric id %q (names are not resolved: give numbers)", s)
		}
		ids[i] = int(n)
	}
	p, err = guestPath("path", parts[2])
	return ids[0], ids[1], p, err
}

func validateChown(arg string) error {
	_, _, _, err := parseChown(arg)
	return err
}

// applyChown sets the owner of PATH, following a final symlink as
// chown(2) does.
func applyChown(r *run, arg string) error {
	uid, gid, p, _ := parseChown(arg)
	rp, _, err := r.stat(p)
	if err != nil {
		return err
	}
	return r.root.Lchown(rp, uid, gid)
}
