package customize

import (
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/accounts"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// addUserSpec is a parsed add-user argument (grammar in the package doc).
type addUserSpec struct {
	name     string
	uid      int // -1: next free
	groups   []string
	shell    string
	home     string
	gecos    string
	sudo     bool
	password *selector
}

// newUserRE is shadow-utils' default NAME_REGEX for new accounts.
var newUserRE = regexp.MustCompile(`^[a-z_][a-z0-9_-]*\$?$`)

// addUserAttr reports whether tok is an attribute (not a password selector).
func addUserAttr(tok string) bool {
	if tok == "sudo" {
		return true
	}
	for _, p := range []string{"uid=", "groups=", "shell=", "home=", "gecos="} {
		if strings.HasPrefix(tok, p) {
			return true
		}
	}
	return false
}

func parseAddUser(arg string) (addUserSpec, error) {
	toks := strings.Split(arg, ":")
	s := addUserSpec{name: toks[0], uid: -1}
	if len(s.name) > 32 || !newUserRE.MatchString(s.name) {
		return s, fmt.Errorf("bad user name %q: want [a-z_][a-z0-9_-]*, at most 32 characters", s.name)
	}
	seen := map[string]bool{}
	for i := 1; i < len(toks); i++ {
		tok := toks[i]
		if !addUserAttr(tok) {
			sel, err := parseSelector(strings.Join(toks[i:], ":"))
			if err != nil {
				return s, fmt.Errorf("%w (attributes are uid=, groups=, shell=, home=, gecos= and sudo; a password selector comes last)", err)
			}
			s.password = &sel
			break
		}
		key, val, _ := strings.Cut(tok, "=")
		if seen[key] {
			return s, fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "sudo":
			s.sudo = true
		case "uid":
			n, perr := strconv.ParseUint(val, 10, 32)
			if perr != nil || n > maxID {
				return s, fmt.Errorf("bad uid %q", val)
			}
			s.uid = int(n)
		case "groups":
			for _, g := range strings.Split(val, ",") {
				if err := validUser(g); err != nil {
					return s, fmt.Errorf("groups=%s: bad group name %q", val, g)
				}
				s.groups = append(s.groups, g)
			}
		case "shell":
			s.shell, err = guestPath("shell", val)
		case "home":
			s.home, err = guestPath("home", val)
			if err == nil && s.home == "/" {
				err = errors.New("home=/ is not a home directory")
			}
		case "gecos":
			if strings.ContainsAny(val, "\n\r") {
				err = errors.New("gecos must not contain a newline")
			}
			s.gecos = val
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

func validateAddUser(arg string) error {
	_, err := parseAddUser(arg)
	return err
}

// daysSinceEpoch is the shadow last-change day: SOURCE_DATE_EPOCH when set
// (reproducible builds), else today.
func daysSinceEpoch() int {
	t := now()
	if v, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil && v >= 0 {
		t = time.Unix(v, 0)
	}
	return int(t.Unix() / 86400)
}

// defaultHomeBase is HOME= of /etc/default/useradd, else /home.
func (r *run) defaultHomeBase() string {
	data, ok, err := r.readFile("/etc/default/useradd")
	if err == nil && ok {
		for _, l := range strings.Split(string(data), "\n") {
			if v, found := strings.CutPrefix(strings.TrimSpace(l), "HOME="); found && strings.HasPrefix(v, "/") {
				return path.Clean(v)
			}
		}
	}
	return "/home"
}

// applyAddUser creates the account (see the package doc). The password,
// when given, is set with the other passwords at the end.
func applyAddUser(r *run, arg string) error {
	s, _ := parseAddUser(arg)
	if !r.g.IsLinux() {
		return fmt.Errorf("add-user needs a Linux guest (found %q)", r.g.OS)
	}
	db, err := accounts.Load(r.root)
	if err != nil {
		return err
	}
	for _, g := range s.groups {
		if _, err := db.LookupGroup(g); err != nil {
			return err
		}
	}
	if s.sudo && !r.isDir("/etc/sudoers.d") {
		return errors.New("sudo: /etc/sudoers.d does not exist in the guest (is sudo installed?)")
	}
	if s.shell == "" {
		s.shell = "/bin/sh"
		if ok, _ := r.exists("/bin/bash"); ok {
			s.shell = "/bin/bash"
		}
	} else if ok, _ := r.exists(s.shell); !ok {
		r.warnf("customize: add-user %s: shell %s does not exist in the guest", s.name, s.shell)
	}
	if s.home == "" {
		s.home = path.Join(r.defaultHomeBase(), s.name)
	}
	u, err := db.AddUser(accounts.NewUser{Name: s.name, UID: s.uid, Gecos: s.gecos, Home: s.home, Shell: s.shell, LastChange: daysSinceEpoch()})
	if err != nil {
		return err
	}
	for _, g := range s.groups {
		if err := db.AddMember(g, s.name); err != nil {
			return err
		}
	}
	if err := db.Save(r.root); err != nil {
		return err
	}
	r.logf("customize: add-user %s: uid %d gid %d home %s", u.Name, u.UID, u.GID, u.Home)
	if err := r.makeHome(u, db.HomeMode()); err != nil {
		return err
	}
	if s.sudo {
		p := "/etc/sudoers.d/" + s.name
		if err := r.root.WriteFile(p, []byte(s.name+" ALL=(ALL) NOPASSWD:ALL\n"), 0o440); err != nil {
			return err
		}
		if err := r.root.Chmod(p, 0o440); err != nil {
			return err
		}
		return r.root.Lchown(p, 0, 0)
	}
	return nil
}

// makeHome creates the home from /etc/skel, owned by the user, as
// useradd -m does. An existing home is left alone, with a warning.
func (r *run) makeHome(u accounts.User, mode uint32) error {
	if ok, err := r.exists(u.Home); err != nil {
		return err
	} else if ok {
		r.warnf("customize: add-user %s: home %s already exists: not copying /etc/skel into it", u.Name, u.Home)
		return nil
	}
	if err := fs.MkdirAll(r.root, path.Dir(u.Home), 0o755); err != nil {
		return err
	}
	c := treeCopier{r: r, links: map[uint64]string{}, owner: &[2]int{u.UID, u.GID}}
	if st, err := r.root.Lstat("/etc/skel"); err == nil && st.IsDir() {
		if err := c.copy("/etc/skel", u.Home, st, 0); err != nil {
			return err
		}
	} else if err := r.root.Mkdir(u.Home, 0o700); err != nil {
		return err
	}
	if err := r.root.Lchown(u.Home, u.UID, u.GID); err != nil {
		return err
	}
	return r.root.Chmod(u.Home, fileMode(mode))
}
