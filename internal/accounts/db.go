package accounts

import (
	"errors"
	"fmt"
	iofs "io/fs"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Guest paths of the database files.
const (
	PasswdPath    = "/etc/passwd"
	ShadowPath    = "/etc/shadow"
	GroupPath     = "/etc/group"
	GShadowPath   = "/etc/gshadow"
	SubUIDPath    = "/etc/subuid"
	SubGIDPath    = "/etc/subgid"
	LoginDefsPath = "/etc/login.defs"
)

// MaxFileSize caps each database file we read: a real one is far smaller,
// a bigger one is hostile or not a database.
const MaxFileSize = 64 << 20

// DB is the guest's user database. A table is nil when its file is absent.
type DB struct {
	Passwd, Shadow, Group, GShadow, SubUID, SubGID *Table
	LoginDefs                                      *LoginDefs // nil when absent
}

// Load reads every database file present in the guest.
func Load(root fs.FS) (*DB, error) {
	db := &DB{}
	for _, f := range []struct {
		path string
		dst  **Table
	}{
		{PasswdPath, &db.Passwd}, {ShadowPath, &db.Shadow}, {GroupPath, &db.Group},
		{GShadowPath, &db.GShadow}, {SubUIDPath, &db.SubUID}, {SubGIDPath, &db.SubGID},
	} {
		data, ok, err := readIfExists(root, f.path)
		if err != nil {
			return nil, err
		}
		if ok {
			*f.dst = ParseTable(f.path, data)
		}
	}
	data, ok, err := readIfExists(root, LoginDefsPath)
	if err != nil {
		return nil, err
	}
	if ok {
		db.LoginDefs = ParseLoginDefs(data)
	}
	return db, nil
}

func readIfExists(root fs.FS, p string) ([]byte, bool, error) {
	st, err := root.Lstat(p)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("accounts: %s: %w", p, err)
	}
	if !st.IsRegular() {
		return nil, false, fmt.Errorf("accounts: %s: not a regular file (%v)", p, st.Mode.Type())
	}
	if st.Size > MaxFileSize {
		return nil, false, fmt.Errorf("accounts: %s: %d bytes, more than the %d a user database may have", p, st.Size, MaxFileSize)
	}
	data, err := fs.ReadFile(root, p)
	if err != nil {
		return nil, false, fmt.Errorf("accounts: %s: %w", p, err)
	}
	return data, true, nil
}

// Tables returns the tables present, in a fixed order.
func (db *DB) Tables() []*Table {
	var out []*Table
	for _, t := range []*Table{db.Passwd, db.Shadow, db.Group, db.GShadow, db.SubUID, db.SubGID} {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// Save writes back every table that changed. Unchanged files are not
// touched; rewritten ones keep their mode, owner and xattrs.
func (db *DB) Save(root fs.FS) error {
	for _, t := range db.Tables() {
		if !t.Changed() {
			continue
		}
		if err := root.WriteFile(t.Path, t.Bytes(), 0o644); err != nil {
			return fmt.Errorf("accounts: write %s: %w", t.Path, err)
		}
		t.changed = false
	}
	return nil
}
