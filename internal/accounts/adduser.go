package accounts

import (
	"fmt"
	"strconv"
)

// NewUser describes an account to create, as useradd -m would.
type NewUser struct {
	Name  string
	UID   int // -1: the next free UID in [UID_MIN, UID_MAX]
	Gecos string
	Home  string
	Shell string
	// Password is the shadow field 2; "" means "!" (no password, locked
	// for password logins, as useradd leaves it).
	Password string
	// LastChange is the shadow last-change day (days since 1970-01-01).
	LastChange int
}

// Defaults from shadow-utils when login.defs does not say.
const (
	DefaultUIDMin      = 1000
	DefaultUIDMax      = 60000
	DefaultGIDMin      = 1000
	DefaultGIDMax      = 60000
	DefaultSubIDMin    = 100000
	DefaultSubIDMax    = 600100000
	DefaultSubIDCount  = 65536
	DefaultHomeMode    = 0o700
	defaultLoginDefMax = maxID
)

// UIDRange returns UID_MIN and UID_MAX from login.defs, or the defaults;
// defaulted reports whether either was missing.
func (db *DB) UIDRange() (min, max int, defaulted bool) {
	lo, ok1 := db.LoginDefs.Int("UID_MIN")
	hi, ok2 := db.LoginDefs.Int("UID_MAX")
	if !ok1 || lo < 0 || lo > defaultLoginDefMax {
		lo = DefaultUIDMin
	}
	if !ok2 || hi < 0 || hi > defaultLoginDefMax {
		hi = DefaultUIDMax
	}
	return int(lo), int(hi), !ok1 || !ok2
}

func (db *DB) gidRange() (int, int) {
	lo := db.LoginDefs.IntOr("GID_MIN", DefaultGIDMin)
	hi := db.LoginDefs.IntOr("GID_MAX", DefaultGIDMax)
	if lo < 0 || lo > defaultLoginDefMax {
		lo = DefaultGIDMin
	}
	if hi < 0 || hi > defaultLoginDefMax {
		hi = DefaultGIDMax
	}
	return int(lo), int(hi)
}

// HomeMode returns HOME_MODE from login.defs (permission bits), or 0700.
func (db *DB) HomeMode() uint32 {
	v, ok := db.LoginDefs.Int("HOME_MODE")
	if !ok || v < 0 || v > 0o7777 {
		return DefaultHomeMode
	}
	return uint32(v)
}

// nextFree picks a free ID like useradd: one above the highest used ID in
// [lo, hi]; when that overflows, the lowest free one.
func nextFree(used map[int]bool, lo, hi int) (int, error) {
	if lo > hi {
		return 0, fmt.Errorf("%w: empty range %d-%d", ErrFull, lo, hi)
	}
	top := lo - 1
	for id := range used {
		if id >= lo && id <= hi && id > top {
			top = id
		}
	}
	if top < hi {
		return top + 1, nil
	}
	for id := lo; id <= hi; id++ {
		if !used[id] {
			return id, nil
		}
	}
	return 0, fmt.Errorf("%w: %d-%d", ErrFull, lo, hi)
}

// AddUser creates the user's passwd and shadow entries, a personal group
// (group and gshadow) named like the user, with GID = UID when that GID is
// free, and subuid/subgid ranges when those files exist. It returns the new
// passwd entry.
func (db *DB) AddUser(n NewUser) (User, error) {
	for _, t := range []struct {
		t    *Table
		path string
	}{{db.Passwd, PasswdPath}, {db.Shadow, ShadowPath}, {db.Group, GroupPath}} {
		if t.t == nil {
			return User{}, fmt.Errorf("%s: %w", t.path, ErrNoFile)
		}
	}
	for _, t := range []*Table{db.Passwd, db.Shadow, db.Group, db.GShadow} {
		if t.Index(n.Name) >= 0 {
			return User{}, fmt.Errorf("user or group %q: %w in %s", n.Name, ErrExist, t.Path)
		}
	}
	users, _ := db.Users()
	usedUID := map[int]bool{}
	for _, u := range users {
		usedUID[u.UID] = true
	}
	usedGID := map[int]bool{}
	for _, g := range db.Groups() {
		usedGID[g.GID] = true
	}
	uid := n.UID
	if uid >= 0 {
		if uid > maxID {
			return User{}, fmt.Errorf("uid %d out of range", uid)
		}
		if usedUID[uid] {
			return User{}, fmt.Errorf("uid %d: %w in %s", uid, ErrExist, PasswdPath)
		}
	} else {
		lo, hi, _ := db.UIDRange()
		var err error
		if uid, err = nextFree(usedUID, lo, hi); err != nil {
			return User{}, fmt.Errorf("uid for %q (UID_MIN-UID_MAX of %s): %w", n.Name, LoginDefsPath, err)
		}
	}
	gid := uid
	if usedGID[gid] {
		lo, hi := db.gidRange()
		var err error
		if gid, err = nextFree(usedGID, lo, hi); err != nil {
			return User{}, fmt.Errorf("gid for %q (GID_MIN-GID_MAX of %s): %w", n.Name, LoginDefsPath, err)
		}
	}
	pw := n.Password
	if pw == "" {
		pw = "!"
	}
	u := User{Name: n.Name, Password: "x", UID: uid, GID: gid, Gecos: n.Gecos, Home: n.Home, Shell: n.Shell}
	db.Passwd.Append(u.Fields()...)
	db.Shadow.Append(n.Name, pw, strconv.Itoa(n.LastChange),
		db.loginDef("PASS_MIN_DAYS"), db.loginDef("PASS_MAX_DAYS"), db.loginDef("PASS_WARN_AGE"), "", "", "")
	if err := db.AddGroup(n.Name, gid, nil); err != nil {
		return User{}, err
	}
	if err := db.addSubIDs(db.SubUID, "SUB_UID", n.Name); err != nil {
		return User{}, err
	}
	if err := db.addSubIDs(db.SubGID, "SUB_GID", n.Name); err != nil {
		return User{}, err
	}
	return u, nil
}

func (db *DB) loginDef(key string) string {
	if v, ok := db.LoginDefs.Int(key); ok && v >= -1 {
		if v == -1 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// addSubIDs gives the user a subordinate ID range above every existing one,
// as useradd does when /etc/subuid and /etc/subgid exist.
func (db *DB) addSubIDs(t *Table, prefix, name string) error {
	if t == nil || t.Index(name) >= 0 {
		return nil
	}
	lo := db.LoginDefs.IntOr(prefix+"_MIN", DefaultSubIDMin)
	hi := db.LoginDefs.IntOr(prefix+"_MAX", DefaultSubIDMax)
	count := db.LoginDefs.IntOr(prefix+"_COUNT", DefaultSubIDCount)
	if count <= 0 {
		return nil // useradd skips subordinate IDs when the count is 0
	}
	start := lo
	for i := 0; i < t.Len(); i++ {
		if !t.IsEntry(i) {
			continue
		}
		f := t.Fields(i)
		if len(f) != 3 {
			continue
		}
		s, err1 := strconv.ParseInt(f[1], 10, 64)
		c, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 == nil && err2 == nil && s+c > start {
			start = s + c
		}
	}
	if start+count-1 > hi {
		return fmt.Errorf("%s: %w: no room for %d subordinate IDs below %s_MAX %d", t.Path, ErrFull, count, prefix, hi)
	}
	t.Append(name, strconv.FormatInt(start, 10), strconv.FormatInt(count, 10))
	return nil
}
