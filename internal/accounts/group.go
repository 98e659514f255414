package accounts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Group is one /etc/group entry.
type Group struct {
	Name     string
	Password string
	GID      int
	Members  []string
}

func parseGroup(t *Table, i int) (Group, error) {
	f := t.Fields(i)
	if len(f) != 4 {
		return Group{}, fmt.Errorf("%s line %d: %w: %d fields, want 4", t.Path, i+1, ErrMalformed, len(f))
	}
	gid, ok := parseID(f[2])
	if !ok {
		return Group{}, fmt.Errorf("%s line %d: %w: bad gid %q", t.Path, i+1, ErrMalformed, f[2])
	}
	return Group{Name: f[0], Password: f[1], GID: gid, Members: splitList(f[3])}, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Groups returns every well-formed /etc/group entry in file order.
func (db *DB) Groups() []Group {
	if db.Group == nil {
		return nil
	}
	var out []Group
	for i := 0; i < db.Group.Len(); i++ {
		if !db.Group.IsEntry(i) {
			continue
		}
		if g, err := parseGroup(db.Group, i); err == nil {
			out = append(out, g)
		}
	}
	return out
}

// LookupGroup returns the /etc/group entry named name.
func (db *DB) LookupGroup(name string) (Group, error) {
	if db.Group == nil {
		return Group{}, fmt.Errorf("%s: %w", GroupPath, ErrNoFile)
	}
	i := db.Group.Index(name)
	if i < 0 {
		return Group{}, fmt.Errorf("group %q: %w in %s", name, ErrNoGroup, GroupPath)
	}
	return parseGroup(db.Group, i)
}

// AddMember appends user to the member list of group in /etc/group and, when
// the group has an entry there, /etc/gshadow (field 4). Already a member is
// not an error.
func (db *DB) AddMember(group, user string) error {
	if _, err := db.LookupGroup(group); err != nil {
		return err
	}
	editList(db.Group, group, 3, func(m []string) []string {
		if slices.Contains(m, user) {
			return m
		}
		return append(m, user)
	})
	editList(db.GShadow, group, 3, func(m []string) []string {
		if slices.Contains(m, user) {
			return m
		}
		return append(m, user)
	})
	return nil
}

// dropMember removes user from every member list of /etc/group (field 4)
// and /etc/gshadow (admins, field 3, and members, field 4). It returns the
// groups that changed.
func (db *DB) dropMember(user string) []string {
	var out []string
	drop := func(m []string) []string { return slices.DeleteFunc(m, func(s string) bool { return s == user }) }
	for _, e := range []struct {
		t      *Table
		fields []int
	}{{db.Group, []int{3}}, {db.GShadow, []int{2, 3}}} {
		if e.t == nil {
			continue
		}
		for i := 0; i < e.t.Len(); i++ {
			if !e.t.IsEntry(i) {
				continue
			}
			f := e.t.Fields(i)
			changed := false
			for _, fi := range e.fields {
				if fi >= len(f) {
					continue
				}
				m := splitList(f[fi])
				n := drop(slices.Clone(m))
				if len(n) != len(m) {
					f[fi] = strings.Join(n, ",")
					changed = true
				}
			}
			if changed {
				e.t.SetFields(i, f)
				if !slices.Contains(out, f[0]) {
					out = append(out, f[0])
				}
			}
		}
	}
	return out
}

func editList(t *Table, name string, field int, edit func([]string) []string) {
	if t == nil {
		return
	}
	i := t.Index(name)
	if i < 0 {
		return
	}
	f := t.Fields(i)
	if field >= len(f) {
		return
	}
	f[field] = strings.Join(edit(splitList(f[field])), ",")
	t.SetFields(i, f)
}

// AddGroup appends a group entry (and a gshadow one when /etc/gshadow exists).
func (db *DB) AddGroup(name string, gid int, members []string) error {
	if db.Group == nil {
		return fmt.Errorf("%s: %w", GroupPath, ErrNoFile)
	}
	if db.Group.Index(name) >= 0 {
		return fmt.Errorf("group %q: %w in %s", name, ErrExist, GroupPath)
	}
	db.Group.Append(name, "x", strconv.Itoa(gid), strings.Join(members, ","))
	if db.GShadow != nil && db.GShadow.Index(name) < 0 {
		db.GShadow.Append(name, "!", "", strings.Join(members, ","))
	}
	return nil
}
