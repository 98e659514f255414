package customize

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/accounts"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
)

// selector is a parsed password selector (see the package doc).
type selector struct {
	kind  string // "password", "file", "hash", "random", "disabled", "locked"
	value string // the password or the host file
	inner *selector
}

const hidden = "<hidden>"

func parseSelector(s string) (selector, error) {
	kind, value, hasValue := strings.Cut(s, ":")
	switch kind {
	case "password":
		if value == "" {
			return selector{}, errors.New("empty password after \"password:\" (use disabled or locked for no password)")
		}
		return selector{kind: kind, value: value}, nil
	case "file":
		if value == "" {
			return selector{}, errors.New("want file:PATH (a host file whose first line is the password)")
		}
		return selector{kind: kind, value: value}, nil
	case "hash":
		if err := validCryptString(value); err != nil {
			return selector{}, err
		}
		return selector{kind: kind, value: value}, nil
	case "random", "disabled":
		if hasValue {
			return selector{}, fmt.Errorf("%q takes no value", kind)
		}
		return selector{kind: kind}, nil
	case "locked":
		in := selector{kind: "disabled"}
		if hasValue {
			var err error
			if in, err = parseSelector(value); err != nil {
				return selector{}, err
			}
			if in.kind == "locked" {
				return selector{}, errors.New("locked:locked makes no sense")
			}
		}
		return selector{kind: kind, inner: &in}, nil
	case "":
		return selector{}, errors.New("empty password selector (want password:PW, file:PATH, hash:CRYPT, random, disabled, locked or locked:SELECTOR)")
	}
	return selector{}, fmt.Errorf("unknown password selector %q (want password:PW, file:PATH, hash:CRYPT, random, disabled, locked or locked:SELECTOR)", kind)
}

// validCryptString accepts a pre-hashed password as crypt(3) writes it:
// "$id$...", made of the characters crypt uses, never a ':' or a newline
// (either would corrupt /etc/shadow).
func validCryptString(h string) error {
	const want = "want hash:CRYPT with a crypt(3) string such as $6$salt$hash or $y$j9T$salt$hash (from mkpasswd or openssl passwd -6)"
	if len(h) < 4 || h[0] != '$' || strings.Count(h, "$") < 3 {
		return errors.New(want)
	}
	for _, c := range h {
		if !(c == '$' || c == '.' || c == '/' || c == '=' || c == ',' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("hash:CRYPT contains %q: %s", c, want)
		}
	}
	return nil
}

// mustSelector parses a selector already checked by Validate.
func mustSelector(s string) selector {
	sel, _ := parseSelector(s)
	return sel
}

// redactSelector hides the password of a "password:" selector: everything
// from the first "password:" that starts the argument or follows a ':' is
// replaced, so even a malformed argument never shows a password.
func redactSelector(s string) string {
	for i := 0; i+len("password:") <= len(s); i++ {
		if (i == 0 || s[i-1] == ':') && strings.HasPrefix(s[i:], "password:") {
			return s[:i] + "password:" + hidden
		}
	}
	return s
}

// validUser accepts the user names shadow-utils accepts with its relaxed
// rules: 1-32 of [A-Za-z0-9_.-], not starting with '-', optional final '$'.
func validUser(name string) error {
	n := strings.TrimSuffix(name, "$")
	if n == "" || len(name) > 32 || n[0] == '-' || n == "." || n == ".." {
		return fmt.Errorf("bad user name %q", name)
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("bad user name %q: only letters, digits, '_', '.' and '-'", name)
		}
	}
	return nil
}

func cutUser(arg string) (user, rest string, err error) {
	user, rest, ok := strings.Cut(arg, ":")
	if !ok {
		return "", "", errors.New("want USER:SELECTOR")
	}
	return user, rest, validUser(user)
}

func validateRootPassword(arg string) error {
	_, err := parseSelector(arg)
	return err
}

func validatePassword(arg string) error {
	_, rest, err := cutUser(arg)
	if err != nil {
		return err
	}
	_, err = parseSelector(rest)
	return err
}

func validatePasswordCrypto(arg string) error {
	switch crypt.Scheme(arg) {
	case crypt.MD5, crypt.SHA256, crypt.SHA512, crypt.Yescrypt:
		return nil
	}
	return fmt.Errorf("unknown scheme %q (want md5, sha256, sha512 or yescrypt)", arg)
}

// randomChars are [A-Za-z0-9] without the look-alikes 0 O 1 l I.
const randomChars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

func randomPassword() (string, error) {
	b := make([]byte, 16)
	max := big.NewInt(int64(len(randomChars)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("random password: %w", err)
		}
		b[i] = randomChars[n.Int64()]
	}
	return string(b), nil
}

// passwordFromFile returns the first line of a host file.
func passwordFromFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("password file %s: %w", p, err)
		}
		return "", fmt.Errorf("password file %s is empty", p)
	}
	pw := strings.TrimSuffix(sc.Text(), "\r")
	if pw == "" {
		return "", fmt.Errorf("password file %s: the first line is empty", p)
	}
	return pw, nil
}

// field computes the shadow password field for sel. Random passwords are
// returned in shown, to be printed once the shadow file is written.
func (r *run) field(user string, sel selector, scheme crypt.Scheme, shown *[]string) (string, error) {
	switch sel.kind {
	case "disabled":
		return "*", nil
	case "locked":
		in, err := r.field(user, *sel.inner, scheme, shown)
		if err != nil {
			return "", err
		}
		return "!!" + in, nil
	}
	if sel.kind == "hash" {
		return sel.value, nil // pre-hashed: written as given
	}
	var pw string
	var err error
	switch sel.kind {
	case "password":
		pw = sel.value
	case "file":
		pw, err = passwordFromFile(sel.value)
	case "random":
		if pw, err = randomPassword(); err == nil {
			*shown = append(*shown, user+" password: "+pw)
		}
	default:
		err = fmt.Errorf("unknown selector %q", sel.kind)
	}
	if err != nil {
		return "", err
	}
	return crypt.Hash(pw, scheme)
}

// applyPasswords sets every collected password in /etc/shadow (field 2
// only) with one write, then prints the random ones.
func (r *run) applyPasswords() error {
	if len(r.passwords) == 0 {
		return nil
	}
	db, err := accounts.Load(r.root)
	if err != nil {
		return fmt.Errorf("customize: passwords: %w", err)
	}
	scheme := r.scheme(db)
	var shown []string
	for _, p := range r.passwords {
		r.logf("customize: setting the password of %s (%s)", p.user, scheme)
		f, err := r.field(p.user, p.sel, scheme, &shown)
		if err != nil {
			return p.step.wrap(err)
		}
		if err := db.SetPassword(p.user, f); err != nil {
			return p.step.wrap(err)
		}
	}
	if err := db.Save(r.root); err != nil {
		return fmt.Errorf("customize: passwords: %w", err)
	}
	for _, l := range shown {
		r.t.Stdout(l)
	}
	return nil
}
