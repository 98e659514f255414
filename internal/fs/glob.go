package fs

import (
	"errors"
	iofs "io/fs"
	"path"
	"sort"
	"strings"
)

// Glob returns the paths matching pattern, an absolute slash-separated
// pattern evaluated like glob(3) without GLOB_PERIOD: '*', '?' and '[...]'
// never match a leading dot. Intermediate directories are listed with
// ReadDir (which, on a guest root, resolves symlinks inside the guest).
// A pattern with no matches returns nil, no error. The result is sorted.
func Glob(f FS, pattern string) ([]string, error) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, &iofs.PathError{Op: "glob", Path: pattern, Err: iofs.ErrInvalid}
	}
	parts := strings.Split(strings.Trim(pattern, "/"), "/")
	cur := []string{"/"}
	for _, part := range parts {
		if part == "" {
			continue
		}
		var next []string
		for _, dir := range cur {
			if !hasMeta(part) {
				p := path.Join(dir, part)
				if ok, err := Exists(f, p); err != nil {
					return nil, err
				} else if ok {
					next = append(next, p)
				}
				continue
			}
			ents, err := f.ReadDir(dir)
			if err != nil {
				if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, ErrNotDir) {
					continue
				}
				return nil, err
			}
			for _, e := range ents {
				ok, err := MatchName(part, e.Name)
				if err != nil {
					return nil, &iofs.PathError{Op: "glob", Path: pattern, Err: err}
				}
				if ok {
					next = append(next, path.Join(dir, e.Name))
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil, nil
		}
	}
	if len(cur) == 1 && cur[0] == "/" {
		return nil, nil
	}
	sort.Strings(cur)
	return cur, nil
}

// MatchName matches one path component like glob(3)/fnmatch(3) with
// FNM_PERIOD: a leading dot must be matched by a literal dot.
func MatchName(pattern, name string) (bool, error) {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		// Validate the pattern anyway so bad patterns are reported.
		_, err := path.Match(pattern, "")
		return false, err
	}
	return path.Match(pattern, name)
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }
