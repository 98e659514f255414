// Package accounts parses and edits the guest's user database: /etc/passwd,
// /etc/shadow, /etc/group, /etc/gshadow, /etc/subuid, /etc/subgid and
// /etc/login.defs.
//
// Edits are surgical: every line that is not changed is written back byte
// for byte (comments, blank lines, NIS "+"/"-" lines, odd spacing, a missing
// final newline). Files absent from the guest stay absent; files that were
// not changed are not rewritten, and a rewritten file keeps its mode, owner
// and xattrs (fs.FS.WriteFile on an existing file keeps them).
package accounts

import (
	"bytes"
	"errors"
	"strings"
)

// Sentinels. Match with errors.Is.
var (
	// ErrNoUser means the name has no entry in the file being edited.
	ErrNoUser = errors.New("no such user")
	// ErrNoGroup means the group has no entry in /etc/group.
	ErrNoGroup = errors.New("no such group")
	// ErrExist means the user or group already exists.
	ErrExist = errors.New("already exists")
	// ErrMalformed means an entry the operation needs cannot be parsed.
	ErrMalformed = errors.New("malformed entry")
	// ErrNoFile means a database file the operation needs is absent.
	ErrNoFile = errors.New("database file missing in the guest")
	// ErrFull means no free ID is left in the configured range.
	ErrFull = errors.New("no free ID left in the range")
)

// Table is one colon-separated database file. Entries are the lines that
// are neither blank, nor comments ("#"), nor NIS compat lines ("+", "-");
// an entry's name is the text before its first colon.
type Table struct {
	// Path is the guest path the table was read from, e.g. "/etc/passwd".
	Path    string
	lines   []string // without their "\n"
	final   bool     // the data ended with "\n" (or was empty)
	changed bool
}

// ParseTable splits data into lines, remembering whether it ended with a
// newline so Bytes can give back identical bytes.
func ParseTable(path string, data []byte) *Table {
	t := &Table{Path: path, final: true}
	if len(data) == 0 {
		return t
	}
	s := string(data)
	t.final = strings.HasSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\n")
	t.lines = strings.Split(s, "\n")
	return t
}

// Bytes returns the file content: unchanged lines are as read.
func (t *Table) Bytes() []byte {
	var b bytes.Buffer
	for i, l := range t.lines {
		b.WriteString(l)
		if i < len(t.lines)-1 || t.final {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// Changed reports whether an edit was made since parsing.
func (t *Table) Changed() bool { return t.changed }

// Len returns the number of lines (entries or not).
func (t *Table) Len() int { return len(t.lines) }

// Line returns line i as read (or as last set).
func (t *Table) Line(i int) string { return t.lines[i] }

// IsEntry reports whether line i is a database entry.
func (t *Table) IsEntry(i int) bool {
	l := t.lines[i]
	if strings.TrimSpace(l) == "" {
		return false
	}
	switch l[0] {
	case '#', '+', '-':
		return false
	}
	return true
}

// Name returns the name of entry i ("" for a non-entry line).
func (t *Table) Name(i int) string {
	if !t.IsEntry(i) {
		return ""
	}
	name, _, _ := strings.Cut(t.lines[i], ":")
	return name
}

// Index returns the line of the first entry named name, or -1.
func (t *Table) Index(name string) int {
	if t == nil {
		return -1
	}
	for i := range t.lines {
		if t.Name(i) == name {
			return i
		}
	}
	return -1
}

// Fields returns entry i split on colons.
func (t *Table) Fields(i int) []string { return strings.Split(t.lines[i], ":") }

// SetFields replaces line i with the fields joined by colons. A line that
// would not change is left alone (and the table not marked changed).
func (t *Table) SetFields(i int, fields []string) {
	l := strings.Join(fields, ":")
	if l == t.lines[i] {
		return
	}
	t.lines[i] = l
	t.changed = true
}

// Delete removes line i.
func (t *Table) Delete(i int) {
	t.lines = append(t.lines[:i:i], t.lines[i+1:]...)
	t.changed = true
}

// DeleteEntries removes every entry named name and returns how many.
func (t *Table) DeleteEntries(name string) int {
	if t == nil {
		return 0
	}
	n := 0
	for i := 0; i < len(t.lines); {
		if t.Name(i) == name {
			t.Delete(i)
			n++
			continue
		}
		i++
	}
	return n
}

// Append adds an entry at the end, before any trailing NIS "+" lines (which
// must stay last for the compat lookups to see local entries first).
func (t *Table) Append(fields ...string) {
	at := len(t.lines)
	for at > 0 && strings.HasPrefix(t.lines[at-1], "+") {
		at--
	}
	if at == len(t.lines) && !t.final && len(t.lines) > 0 {
		// The last line had no newline: it gets one now, the new one too.
		t.final = true
	}
	l := strings.Join(fields, ":")
	t.lines = append(t.lines[:at:at], append([]string{l}, t.lines[at:]...)...)
	t.changed = true
}
