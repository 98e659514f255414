package customize

import (
	"fmt"
	"strconv"
	"strings"
)

// parseMode reads a chmod mode as virt-customize does: octal when it starts
// with "0", decimal otherwise (so "700" is 0o1274, and "0700" is what users
// mean). At most 07777.
func parseMode(s string) (uint32, error) {
	base := 10
	if strings.HasPrefix(s, "0") {
		base = 8
	}
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil || s == "" || n > 0o7777 || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("bad mode %q (octal with a leading 0, e.g. 0644; without it the number is decimal)", s)
	}
	return uint32(n), nil
}

func parseChmod(arg string) (uint32, string, error) {
	parts, err := splitN(arg, 2, "PERMS:FILE")
	if err != nil {
		return 0, "", err
	}
	mode, err := parseMode(parts[0])
	if err != nil {
		return 0, "", err
	}
	p, err := guestPath("file", parts[1])
	return mode, p, err
}

func validateChmod(arg string) error {
	_, _, err := parseChmod(arg)
	return err
}

// applyChmod sets the permission bits (setuid/setgid/sticky included) of
// FILE, following a final symlink as chmod(2) does.
func applyChmod(r *run, arg string) error {
	mode, p, _ := parseChmod(arg)
	if !strings.HasPrefix(strings.SplitN(arg, ":", 2)[0], "0") {
		r.logf("customize: --chmod %s: mode read as decimal (= %#o)", arg, mode)
	}
	rp, _, err := r.stat(p)
	if err != nil {
		return err
	}
	return r.root.Chmod(rp, fileMode(mode))
}
