package customize

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// Target is the guest the steps edit.
type Target struct {
	Guest  *guest.Guest
	Root   fs.FS
	Logf   func(format string, args ...any)
	Warnf  func(format string, args ...any)
	Stdout func(line string) // e.g. a generated random password, printed once
}

// now is the clock of new shadow entries and touch; tests pin it.
var now = time.Now

// run is the state of one Apply.
type run struct {
	ctx  context.Context
	t    Target
	root fs.FS
	g    *guest.Guest
	// crypto is the scheme of password-crypto ("" = guest default).
	crypto crypt.Scheme
	// passwords are applied after every other step, in step order.
	passwords []pendingPassword
	// firstbootN numbers the first-boot scripts of this run.
	firstbootN int
}

// pendingPassword is a password to set at the end.
type pendingPassword struct {
	step Step
	user string
	sel  selector
}

// Apply runs the steps in virt-customize order: command-line order, except
// that passwords are applied last and SELinux relabel after everything.
// Every step is validated first; nothing is written when one is invalid or
// when a user's password is set twice.
func Apply(ctx context.Context, t Target, steps []Step) error {
	var errs []error
	for _, s := range steps {
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if t.Root == nil {
		return errors.New("customize: no guest filesystem")
	}
	if t.Guest == nil {
		t.Guest = &guest.Guest{}
	}
	if t.Logf == nil {
		t.Logf = func(string, ...any) {}
	}
	if t.Warnf == nil {
		t.Warnf = func(string, ...any) {}
	}
	if t.Stdout == nil {
		t.Stdout = func(string) {}
	}
	r := &run{ctx: ctx, t: t, root: t.Root, g: t.Guest}
	if err := r.collectPasswords(steps); err != nil {
		return err
	}
	for _, ph := range []phase{phaseNormal, phaseRelabel} {
		for _, s := range steps {
			o := options[s.Op]
			if o.phase != ph {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			t.Logf("customize %s", s)
			if err := o.apply(r, s.Arg); err != nil {
				return s.wrap(err)
			}
		}
		if ph == phaseNormal {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := r.applyPasswords(); err != nil {
				return err
			}
		}
	}
	return nil
}

// collectPasswords gathers every password setting (root-password,
// password, add-user selectors) and password-crypto, so that a user set
// twice is refused before anything is written.
func (r *run) collectPasswords(steps []Step) error {
	seen := map[string]Step{}
	for _, s := range steps {
		var user string
		var sel selector
		switch s.Op {
		case "password-crypto":
			r.crypto = crypt.Scheme(s.Arg)
			continue
		case "root-password":
			user, sel = "root", mustSelector(s.Arg)
		case "password":
			u, rest, _ := cutUser(s.Arg)
			user, sel = u, mustSelector(rest)
		case "add-user":
			spec, _ := parseAddUser(s.Arg)
			if spec.password == nil {
				continue
			}
			user, sel = spec.name, *spec.password
		default:
			continue
		}
		if prev, dup := seen[user]; dup {
			return fmt.Errorf("customize: the password of %q is set twice (%s and %s)", user, prev, s)
		}
		seen[user] = s
		r.passwords = append(r.passwords, pendingPassword{step: s, user: user, sel: sel})
	}
	return nil
}

// warnf and logf are shorthands.
func (r *run) logf(format string, args ...any)  { r.t.Logf(format, args...) }
func (r *run) warnf(format string, args ...any) { r.t.Warnf(format, args...) }
