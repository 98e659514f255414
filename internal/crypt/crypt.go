// Package crypt makes crypt(3) password hashes for /etc/shadow, bit-exact with
// libxcrypt (the libcrypt of Debian 12, Fedora, RHEL 9...):
//
//   - SHA-crypt, $6$ (SHA-512) and $5$ (SHA-256), after Ulrich Drepper's
//     "Unix crypt using SHA-256 and SHA-512" specification;
//   - MD5-crypt, $1$ (Poul-Henning Kamp's FreeBSD algorithm), for old guests only;
//   - yescrypt, $y$, with libxcrypt's default cost "j9T" (N=4096, r=32, p=1).
//
// The digests come from github.com/go-crypt/x; this package chooses the salts,
// parses and checks settings and lays out the strings the way libxcrypt does.
package crypt

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"

	xcrypt "github.com/go-crypt/x/crypt"
	"github.com/go-crypt/x/yescrypt"
)

// Scheme names a crypt(3) hashing method.
type Scheme string

// The supported schemes.
const (
	SHA512   Scheme = "sha512"   // $6$, 5000 rounds, 16-character salt
	SHA256   Scheme = "sha256"   // $5$, 5000 rounds, 16-character salt
	MD5      Scheme = "md5"      // $1$, 8-character salt; weak, for old guests only
	Yescrypt Scheme = "yescrypt" // $y$j9T$, 16-byte salt
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrScheme reports an unknown scheme name or hash prefix.
	ErrScheme = errors.New("crypt: unknown scheme")
	// ErrSalt reports a salt or setting string that the scheme cannot use.
	ErrSalt = errors.New("crypt: invalid salt")
	// ErrUnsupported reports a valid setting this package does not implement
	// (e.g. yescrypt flags other than libxcrypt's default). It wraps
	// errors.ErrUnsupported.
	ErrUnsupported = fmt.Errorf("crypt: %w", errors.ErrUnsupported)
)

// ParseScheme turns a user's scheme name into a Scheme. It accepts the
// names above in any case, with an optional "-" or "crypt" suffix
// ("SHA-512", "sha512crypt", "yescrypt") and the crypt(3) prefixes
// ("$6$", "$5$", "$1$", "$y$").
func ParseScheme(s string) (Scheme, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.ReplaceAll(n, "-", "")
	n = strings.ReplaceAll(n, "_", "")
	if n != "crypt" {
		n = strings.TrimSuffix(n, "crypt")
	}
	switch n {
	case "sha512", "$6$":
		return SHA512, nil
	case "sha256", "$5$":
		return SHA256, nil
	case "md5", "$1$":
		return MD5, nil
	case "yes", "$y$":
		return Yescrypt, nil
	}
	return "", fmt.Errorf("%w %q (want one of sha512, sha256, yescrypt, md5)", ErrScheme, s)
}

// Prefix returns the crypt(3) identifier of the scheme, e.g. "$6$".
func (s Scheme) Prefix() string {
	switch s {
	case SHA512:
		return "$6$"
	case SHA256:
		return "$5$"
	case MD5:
		return "$1$"
	case Yescrypt:
		return "$y$"
	}
	return ""
}

// Hash hashes password with a fresh random salt from crypto/rand, using the
// scheme's default cost (5000 rounds for SHA-crypt, no rounds= field; j9T for
// yescrypt). The result is ready for the second field of /etc/shadow.
func Hash(password string, s Scheme) (string, error) {
	var salt string
	switch s {
	case SHA512, SHA256:
		salt = randomSalt(shaMaxSalt)
	case MD5:
		salt = randomSalt(md5MaxSalt)
	case Yescrypt:
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("crypt: random salt: %w", err)
		}
		salt = string(yescrypt.Encode64(b))
	default:
		return "", fmt.Errorf("%w %q", ErrScheme, s)
	}
	return HashWithSalt(password, s, salt)
}

// HashWithSalt hashes password with the given salt. salt is either a bare
// salt ("saltsalt": at most 16 characters of [./0-9A-Za-z] for SHA-crypt, 8
// for MD5-crypt; for yescrypt, libxcrypt's base-64 encoding of 1 to 64
// bytes, usually 22 characters) or a full setting or hash of the scheme
// ("$6$rounds=10000$salt", "$y$j9T$salt$hash"), of which the hash part is
// ignored, as crypt(3) does. Bad salts fail with ErrSalt, never truncated.
func HashWithSalt(password string, s Scheme, salt string) (string, error) {
	st, err := parseSetting(s, salt)
	if err != nil {
		return "", err
	}
	if strings.IndexByte(password, 0) >= 0 {
		// crypt(3) stops at the first NUL: a hash of a prefix would surprise.
		return "", errors.New("crypt: password contains a NUL byte")
	}
	pw := []byte(password)
	switch s {
	case SHA512, SHA256:
		h := sha512.New
		if s == SHA256 {
			h = sha256.New
		}
		sum := xcrypt.KeySHACrypt(h, pw, []byte(st.salt), st.rounds)
		return st.prefix + string(sum), nil
	case MD5:
		sum := xcrypt.KeyMD5Crypt(pw, []byte(st.salt))
		return st.prefix + string(sum), nil
	case Yescrypt:
		key, err := yescrypt.Key(pw, st.rawSalt, st.n, st.r, 1, 32)
		if err != nil {
			return "", fmt.Errorf("crypt: yescrypt: %w", err)
		}
		return st.prefix + string(yescrypt.Encode64(key)), nil
	}
	return "", fmt.Errorf("%w %q", ErrScheme, s)
}

// Verify reports whether password matches hashed, a $6$, $5$, $1$ or $y$
// hash. It fails for locked ("!..."), disabled ("*") and unknown hashes.
func Verify(password, hashed string) (bool, error) {
	var s Scheme
	for _, c := range []Scheme{SHA512, SHA256, MD5, Yescrypt} {
		if strings.HasPrefix(hashed, c.Prefix()) {
			s = c
		}
	}
	if s == "" {
		return false, fmt.Errorf("%w: hash does not start with $6$, $5$, $1$ or $y$", ErrScheme)
	}
	got, err := HashWithSalt(password, s, hashed)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(hashed)) == 1, nil
}

const saltAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomSalt returns n characters drawn uniformly from saltAlphabet (64
// symbols, so the low 6 bits of each random byte are an unbiased index).
func randomSalt(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails on Linux (Go 1.24+ crashes the program instead).
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = saltAlphabet[b[i]&63]
	}
	return string(b)
}

// strconvRounds formats a rounds= field.
func strconvRounds(n int) string { return "rounds=" + strconv.Itoa(n) + "$" }
