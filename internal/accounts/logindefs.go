package accounts

import (
	"strconv"
	"strings"
)

// LoginDefs is /etc/login.defs: "KEY VALUE" lines, "#" comments. Read only.
type LoginDefs struct {
	values map[string]string
}

// ParseLoginDefs parses login.defs. As in shadow-utils, a key given twice
// takes its last value; surrounding double quotes are removed.
func ParseLoginDefs(data []byte) *LoginDefs {
	d := &LoginDefs{values: map[string]string{}}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		k, v, _ := strings.Cut(strings.Join(strings.Fields(l), " "), " ")
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		d.values[k] = v
	}
	return d
}

// Get returns the value of key.
func (d *LoginDefs) Get(key string) (string, bool) {
	if d == nil {
		return "", false
	}
	v, ok := d.values[key]
	return v, ok
}

// Int returns the numeric value of key. Like shadow-utils' getdef_num, a
// leading "0x" means hex and a leading "0" octal (HOME_MODE 0700, UMASK 022).
// ok is false when the key is absent or not a number.
func (d *LoginDefs) Int(key string) (v int64, ok bool) {
	s, found := d.Get(key)
	if !found {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// IntOr returns Int(key), or def when it is absent or not a number.
func (d *LoginDefs) IntOr(key string, def int64) int64 {
	if v, ok := d.Int(key); ok {
		return v
	}
	return def
}
