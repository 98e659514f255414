package accounts

import (
	"fmt"
	"strconv"
	"strings"
)

// User is one /etc/passwd entry.
type User struct {
	Name     string
	Password string // field 2, usually "x"
	UID, GID int
	Gecos    string
	Home     string
	Shell    string
}

// Fields returns the seven passwd fields.
func (u User) Fields() []string {
	return []string{u.Name, u.Password, strconv.Itoa(u.UID), strconv.Itoa(u.GID), u.Gecos, u.Home, u.Shell}
}

// maxID is the largest valid UID/GID: (uid_t)-1 is reserved.
const maxID = 1<<32 - 2

func parseID(s string) (int, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > maxID {
		return 0, false
	}
	return int(n), true
}

func parseUser(t *Table, i int) (User, error) {
	f := t.Fields(i)
	if len(f) != 7 {
		return User{}, fmt.Errorf("%s line %d: %w: %d fields, want 7", t.Path, i+1, ErrMalformed, len(f))
	}
	uid, ok1 := parseID(f[2])
	gid, ok2 := parseID(f[3])
	if !ok1 || !ok2 {
		return User{}, fmt.Errorf("%s line %d: %w: bad uid/gid %q:%q", t.Path, i+1, ErrMalformed, f[2], f[3])
	}
	return User{Name: f[0], Password: f[1], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]}, nil
}

// Users returns every well-formed passwd entry in file order, and the
// malformed lines as one error (nil when all parse).
func (db *DB) Users() ([]User, error) {
	if db.Passwd == nil {
		return nil, nil
	}
	var out []User
	var bad []string
	for i := 0; i < db.Passwd.Len(); i++ {
		if !db.Passwd.IsEntry(i) {
			continue
		}
		u, err := parseUser(db.Passwd, i)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		out = append(out, u)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return out, nil
}

// LookupUser returns the passwd entry of name. It fails with ErrNoFile,
// ErrNoUser or ErrMalformed.
func (db *DB) LookupUser(name string) (User, error) {
	if db.Passwd == nil {
		return User{}, fmt.Errorf("%s: %w", PasswdPath, ErrNoFile)
	}
	i := db.Passwd.Index(name)
	if i < 0 {
		return User{}, fmt.Errorf("user %q: %w in %s", name, ErrNoUser, PasswdPath)
	}
	return parseUser(db.Passwd, i)
}

// SetPassword replaces field 2 of name's /etc/shadow entry with hash (a
// crypt string, "*" or "!!..."): nothing else on the line changes (not even
// the last-change date, as virt-customize). A user without a shadow entry
// is an error (ErrNoUser), not a silent skip.
func (db *DB) SetPassword(name, hash string) error {
	if strings.ContainsAny(hash, ":\n") {
		return fmt.Errorf("password field for %q contains ':' or a newline", name)
	}
	if db.Shadow == nil {
		return fmt.Errorf("%s: %w", ShadowPath, ErrNoFile)
	}
	i := db.Shadow.Index(name)
	if i < 0 {
		return fmt.Errorf("user %q: %w in %s", name, ErrNoUser, ShadowPath)
	}
	f := db.Shadow.Fields(i)
	if len(f) < 2 {
		return fmt.Errorf("%s line %d: %w: user %q has no password field", ShadowPath, i+1, ErrMalformed, name)
	}
	f[1] = hash
	db.Shadow.SetFields(i, f)
	return nil
}

// Removal says what RemoveUser deleted, for reports.
type Removal struct {
	Lines       []string // "/etc/passwd: alice", "/etc/group: alice"...
	Memberships []string // groups alice was dropped from
}

// RemoveUser deletes everything naming the user in the database: the
// passwd, shadow, subuid and subgid entries (by name or by UID), its membership in every
// group's member list (group and gshadow, members and admins), and its
// personal group (the group and gshadow entries named like the user) when
// no remaining user has that group as primary group.
func (db *DB) RemoveUser(name string) Removal {
	var r Removal
	uid := ""
	if u, err := db.LookupUser(name); err == nil {
		uid = strconv.Itoa(u.UID) // subuid/subgid lines may name the owner by UID
	}
	for _, t := range []*Table{db.Passwd, db.Shadow, db.SubUID, db.SubGID} {
		if n := t.DeleteEntries(name); n > 0 {
			r.Lines = append(r.Lines, t.Path+": "+name)
		}
		if uid != "" && (t == db.SubUID || t == db.SubGID) && t.DeleteEntries(uid) > 0 {
			r.Lines = append(r.Lines, t.Path+": "+uid)
		}
	}
	if db.Group != nil {
		if gi := db.Group.Index(name); gi >= 0 {
			gid := -1
			if f := db.Group.Fields(gi); len(f) >= 3 {
				gid, _ = parseID(f[2])
			}
			if gid < 0 || !db.primaryOfSomeone(gid) {
				db.Group.DeleteEntries(name)
				r.Lines = append(r.Lines, GroupPath+": "+name)
				if db.GShadow.DeleteEntries(name) > 0 {
					r.Lines = append(r.Lines, GShadowPath+": "+name)
				}
			}
		}
	}
	r.Memberships = db.dropMember(name)
	return r
}

func (db *DB) primaryOfSomeone(gid int) bool {
	us, _ := db.Users()
	for _, u := range us {
		if u.GID == gid {
			return true
		}
	}
	return false
}
