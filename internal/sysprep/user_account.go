package sysprep

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/accounts"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func init() { register(userAccount{}) }

// userAccount removes the login accounts (UID_MIN ≤ uid ≤ UID_MAX) and
// what belongs to them, as virt-sysprep's user-account does, plus what it
// forgets: the gshadow entry, memberships in every group (group and
// gshadow), subuid/subgid ranges, crontabs and both mail spools.
// Plan.KeepUserAccounts are always kept; when Plan.RemoveUserAccounts is
// given only those are removed.
type userAccount struct{}

func (userAccount) Name() string    { return "user-account" }
func (userAccount) Summary() string { return "Remove the user accounts in the guest" }
func (userAccount) DefaultOn() bool { return false }

// userAccountKeptHomes are never removed, whatever passwd says: a home
// of "/" or "/usr" in the UID range is a misconfiguration, not user data.
var userAccountKeptHomes = []string{
	"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt",
	"/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
}

func (userAccount) Apply(ctx context.Context, e *Env) error {
	if !e.Guest.IsLinux() {
		return nil
	}
	db, err := accounts.Load(e.Root)
	if err != nil {
		return err
	}
	if db.Passwd == nil {
		e.Note("no /etc/passwd: no accounts to remove")
		return nil
	}
	lo, hi, defaulted := db.UIDRange()
	if defaulted {
		e.Note("UID_MIN/UID_MAX missing from /etc/login.defs: using %d-%d", lo, hi)
	}
	users, perr := db.Users()
	if perr != nil {
		e.Warnf("user-account: malformed /etc/passwd lines left alone: %v", perr)
	}
	keep := e.Plan.KeepUserAccounts
	only := e.Plan.RemoveUserAccounts
	var victims, staying []accounts.User
	for _, u := range users {
		inRange := u.UID >= lo && u.UID <= hi
		if !inRange || slices.Contains(keep, u.Name) || (len(only) > 0 && !slices.Contains(only, u.Name)) {
			staying = append(staying, u)
			continue
		}
		victims = append(victims, u)
	}
	for _, n := range only {
		if !slices.ContainsFunc(victims, func(u accounts.User) bool { return u.Name == n }) && !slices.Contains(keep, n) {
			e.Note("%q not removed: no such account, or its UID is outside %d-%d", n, lo, hi)
		}
	}
	if len(victims) == 0 {
		return nil
	}
	for _, u := range victims {
		r := db.RemoveUser(u.Name)
		e.Logf("user-account: removed %s (uid %d): %s; dropped from groups %v", u.Name, u.UID, strings.Join(r.Lines, ", "), r.Memberships)
	}
	if err := db.Save(e.Root); err != nil {
		return err
	}
	for _, u := range victims {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := userAccountRemoveFiles(e, u, staying); err != nil {
			return err
		}
	}
	return nil
}

// userAccountRemoveFiles removes the user's mail, crontabs and home.
func userAccountRemoveFiles(e *Env, u accounts.User, staying []accounts.User) error {
	if u.Name == "" || u.Name == "." || u.Name == ".." || strings.ContainsAny(u.Name, "/\x00") {
		e.Warnf("user-account: %q is not a usable file name: its mail and crontabs are left alone", u.Name)
	} else {
		for _, dir := range []string{"/var/spool/mail", "/var/mail", "/var/spool/cron", "/var/spool/cron/crontabs"} {
			if err := fs.RemoveAll(e.Root, path.Join(dir, u.Name), nil); err != nil {
				return err
			}
		}
	}
	home := path.Clean(u.Home)
	switch {
	case !strings.HasPrefix(u.Home, "/"):
		e.Warnf("user-account: %s: home %q is not absolute: left alone", u.Name, u.Home)
		return nil
	case slices.Contains(userAccountKeptHomes, home):
		e.Warnf("user-account: %s: home %s is a system directory: left alone", u.Name, home)
		return nil
	}
	for _, s := range staying {
		if h := path.Clean(s.Home); h == home || strings.HasPrefix(h, home+"/") {
			e.Warnf("user-account: %s: home %s is shared with %s, who stays: left alone", u.Name, home, s.Name)
			return nil
		}
	}
	return fs.RemoveAll(e.Root, home, nil)
}
