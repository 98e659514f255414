package customize

import (
	"errors"
	"path"
	"strings"
)

func parseLink(arg string) (target string, links []string, err error) {
	parts := strings.Split(arg, ":")
	if len(parts) < 2 || parts[0] == "" {
		return "", nil, errors.New("want TARGET:LINK[:LINK...]")
	}
	for _, l := range parts[1:] {
		p, err := guestPath("link", l)
		if err != nil {
			return "", nil, err
		}
		if p == "/" {
			return "", nil, errors.New("link \"/\": cannot replace the root")
		}
		links = append(links, p)
	}
	return parts[0], links, nil
}

func validateLink(arg string) error {
	_, _, err := parseLink(arg)
	return err
}

// applyLink is "ln -sf TARGET LINK" for each LINK: TARGET is stored as
// given; an existing non-directory at LINK is replaced; when LINK is a
// directory the link goes inside it, named after TARGET.
func applyLink(r *run, arg string) error {
	target, links, _ := parseLink(arg)
	for _, l := range links {
		if r.isDir(l) {
			l = path.Join(l, path.Base(target))
		}
		st, err := r.root.Lstat(l)
		switch {
		case err == nil && st.IsDir():
			return errors.New(l + ": is a directory")
		case err == nil:
			if err := r.root.Remove(l); err != nil {
				return err
			}
		case !isNotExist(err):
			return err
		}
		if err := r.needParent(l); err != nil {
			return err
		}
		if err := r.root.Symlink(target, l); err != nil {
			return err
		}
	}
	return nil
}
