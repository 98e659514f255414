package selinux

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Limits on what a guest policy can make us read.
// Real targeted policies hold about 6,000 specifications in under 1 MiB.
const (
	maxFileContexts = 16 << 20
	maxSpecs        = 100000
	maxSubs         = 1 << 20
)

// Policy is the labelling part of a guest's SELinux policy: its
// file_contexts specifications in lookup order.
type Policy struct {
	Type    string // SELINUXTYPE, e.g. "targeted"
	Path    string // the file_contexts file, e.g. /etc/selinux/targeted/contexts/files/file_contexts
	Skipped int    // lines of the file_contexts files that could not be used
	specs   []spec
	subs    [][2]string // path substitutions: alias prefix -> real prefix
}

// FileContextsPath returns where a policy type keeps its file_contexts.
func FileContextsPath(policyType string) string {
	return "/etc/selinux/" + policyType + "/contexts/files/file_contexts"
}

// Load reads the configured policy's file_contexts (text form; the .bin is
// ignored) and, when present, its .homedirs and .local companions and the
// .subs_dist/.subs path substitutions. It returns ErrDisabled for a guest
// that is not SELinux and an error wrapping ErrNoPolicy when the file
// cannot be read.
func Load(root fs.FS) (*Policy, error) {
	c, err := ReadConfig(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoPolicy, err)
	}
	if !c.Enabled() {
		return nil, ErrDisabled
	}
	p := &Policy{Type: c.Type, Path: FileContextsPath(c.Type)}
	var files [][]spec
	var sorted []bool
	total := 0
	for _, suffix := range []string{"", ".homedirs", ".local"} {
		name := p.Path + suffix
		data, err := readCapped(root, name, maxFileContexts)
		if err != nil {
			if suffix != "" && (errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir)) {
				continue
			}
			return nil, fmt.Errorf("%w: %v", ErrNoPolicy, err)
		}
		specs, skipped := parseSpecs(name, data)
		p.Skipped += skipped
		if total += len(specs); total > maxSpecs {
			return nil, fmt.Errorf("%w: %s: more than %d specifications", ErrNoPolicy, name, maxSpecs)
		}
		files = append(files, specs)
		// .local holds `semanage fcontext` additions in the order made:
		// libselinux does not sort it, so later lines override.
		sorted = append(sorted, suffix != ".local")
	}
	p.specs = order(files, sorted)
	if len(p.specs) == 0 {
		return nil, fmt.Errorf("%w: %s has no usable specification", ErrNoPolicy, p.Path)
	}
	for _, suffix := range []string{".subs_dist", ".subs"} {
		data, err := readCapped(root, p.Path+suffix, maxSubs)
		if err != nil {
			continue // optional
		}
		p.subs = append(p.subs, parseSubs(data)...)
	}
	return p, nil
}

// parseSubs reads "alias real" lines (file_contexts.subs(5)).
func parseSubs(data []byte) [][2]string {
	var out [][2]string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") || !strings.HasPrefix(f[0], "/") || !strings.HasPrefix(f[1], "/") {
			continue
		}
		out = append(out, [2]string{path.Clean(f[0]), path.Clean(f[1])})
	}
	return out
}

// substitute rewrites an alias path to the real one it stands for
// (e.g. /var/run/x to /run/x), as selabel_lookup does before matching.
func (p *Policy) substitute(name string) string {
	for _, s := range p.subs {
		alias, real := s[0], s[1]
		if name == alias {
			return real
		}
		if strings.HasPrefix(name, alias) && (alias == "/" || name[len(alias)] == '/') {
			return path.Join(real, name[len(alias):])
		}
	}
	return name
}

// Label returns the context a file at the guest path name with the given
// mode (only its type bits matter) gets on a relabel: the last matching
// specification in lookup order. ok is false when nothing matches or the
// match says <<none>> (leave the file unlabelled).
func (p *Policy) Label(name string, mode iofs.FileMode) (context string, ok bool) {
	if p == nil {
		return "", false
	}
	name = p.substitute(name)
	kind, stem := kindOf(mode), pathStem(name)
	for i := len(p.specs) - 1; i >= 0; i-- {
		s := &p.specs[i]
		if s.kind != kindAny && s.kind != kind {
			continue
		}
		if s.stem != "" && s.stem != stem {
			continue
		}
		if !s.re.MatchString(name) {
			continue
		}
		if s.context == none {
			return "", false
		}
		return s.context, true
	}
	return "", false
}

// Apply sets the label of the inode at name (not following a final
// symlink) in f, if the policy has one for it.
func (p *Policy) Apply(f fs.FS, name string, mode iofs.FileMode) error {
	ctx, ok := p.Label(name, mode)
	if !ok {
		return nil
	}
	return f.SetXattr(name, XattrName, append([]byte(ctx), 0))
}
