package crypt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-crypt/x/yescrypt"
)

// Limits of the settings this package accepts.
const (
	shaMaxSalt      = 16      // SHA-crypt spec: at most 16 salt characters
	md5MaxSalt      = 8       // MD5-crypt: at most 8 salt characters
	shaDefaultRound = 5000    // SHA-crypt default, written without rounds=
	shaMinRounds    = 1000    // SHA-crypt spec minimum; libxcrypt refuses fewer
	shaMaxRounds    = 9999999 // our cap (the spec allows 999999999: minutes of CPU)

	yesMaxSaltBytes = 64      // decoded yescrypt salt bytes
	yesMaxMemory    = 1 << 30 // 128*r*N bytes: libxcrypt's strongest preset (N=2^18, r=32) needs 1 GiB
	yesMaxOneChar   = 47      // yescrypt's variable-length integers fit one character up to 47
)

// setting is a parsed salt/setting string, ready to hash.
type setting struct {
	prefix string // everything before the digest, ending in "$"

	salt   string // SHA-crypt and MD5-crypt: the salt characters
	rounds int    // SHA-crypt

	rawSalt []byte // yescrypt: decoded salt
	n, r    int    // yescrypt cost
}

// parseSetting checks a bare salt or a full setting for scheme s.
func parseSetting(s Scheme, salt string) (setting, error) {
	switch s {
	case SHA512, SHA256:
		return parseSHA(s, salt)
	case MD5:
		return parseMD5(salt)
	case Yescrypt:
		return parseYescrypt(salt)
	}
	return setting{}, fmt.Errorf("%w %q", ErrScheme, s)
}

// splitSetting strips the scheme's "$id$" from a full setting; a bare salt
// (no leading "$") is returned as is. full reports which it was.
func splitSetting(s Scheme, salt string) (rest string, full bool, err error) {
	if !strings.HasPrefix(salt, "$") {
		return salt, false, nil
	}
	if !strings.HasPrefix(salt, s.Prefix()) {
		return "", false, fmt.Errorf("%w: setting %.12q is not a %s setting (want %s...)", ErrSalt, salt, s, s.Prefix())
	}
	return salt[len(s.Prefix()):], true, nil
}

// saltField returns the salt characters of rest: up to the next "$" for a
// full setting, all of it for a bare salt (where "$" is an error).
func saltField(rest string, full bool, max int) (string, error) {
	if full {
		if i := strings.IndexByte(rest, '$'); i >= 0 {
			rest = rest[:i]
		}
	}
	switch {
	case rest == "":
		return "", fmt.Errorf("%w: empty salt", ErrSalt)
	case len(rest) > max:
		return "", fmt.Errorf("%w: salt of %d characters (at most %d; crypt(3) would silently truncate it)", ErrSalt, len(rest), max)
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(saltAlphabet, rest[i]) < 0 {
			return "", fmt.Errorf("%w: salt character %q at %d (want [./0-9A-Za-z])", ErrSalt, rest[i], i)
		}
	}
	return rest, nil
}

func parseSHA(s Scheme, salt string) (setting, error) {
	rest, full, err := splitSetting(s, salt)
	if err != nil {
		return setting{}, err
	}
	st := setting{prefix: s.Prefix(), rounds: shaDefaultRound}
	if full && strings.HasPrefix(rest, "rounds=") {
		num, tail, ok := strings.Cut(rest[len("rounds="):], "$")
		if !ok {
			return setting{}, fmt.Errorf("%w: rounds= is not followed by \"$salt\"", ErrSalt)
		}
		n, err := parseRounds(num)
		if err != nil {
			return setting{}, err
		}
		st.rounds = n
		st.prefix += strconvRounds(n)
		rest = tail
	}
	if st.salt, err = saltField(rest, full, shaMaxSalt); err != nil {
		return setting{}, err
	}
	st.prefix += st.salt + "$"
	return st, nil
}

// parseRounds reads the decimal of rounds=N as libxcrypt does: digits only,
// no leading zero, at least 1000; we also cap it so a hash cannot take minutes.
func parseRounds(num string) (int, error) {
	if num == "" || len(num) > 9 || num[0] == '0' {
		return 0, fmt.Errorf("%w: rounds=%.12q (want a number from %d to %d)", ErrSalt, num, shaMinRounds, shaMaxRounds)
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, fmt.Errorf("%w: rounds=%.12q (want a number from %d to %d)", ErrSalt, num, shaMinRounds, shaMaxRounds)
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < shaMinRounds || n > shaMaxRounds {
		return 0, fmt.Errorf("%w: rounds=%s (want a number from %d to %d)", ErrSalt, num, shaMinRounds, shaMaxRounds)
	}
	return n, nil
}

func parseMD5(salt string) (setting, error) {
	rest, full, err := splitSetting(MD5, salt)
	if err != nil {
		return setting{}, err
	}
	st := setting{}
	if st.salt, err = saltField(rest, full, md5MaxSalt); err != nil {
		return setting{}, err
	}
	st.prefix = MD5.Prefix() + st.salt + "$"
	return st, nil
}

// parseYescrypt reads "$y$" params "$" salt ["$" hash], or a bare salt with
// the default params "j9T". Params are yescrypt's base-64 variable-length
// integers: flavor, log2(N) - 1, r - 1, then optional extras (p, t, ROM...)
// that this package does not implement. Only flavor "j" (YESCRYPT_DEFAULTS,
// the only one libxcrypt generates) is supported.
func parseYescrypt(salt string) (setting, error) {
	rest, full, err := splitSetting(Yescrypt, salt)
	if err != nil {
		return setting{}, err
	}
	params := "j9T"
	if full {
		var ok bool
		params, rest, ok = strings.Cut(rest, "$")
		if !ok {
			return setting{}, fmt.Errorf("%w: yescrypt setting has no \"$\" after its parameters", ErrSalt)
		}
		if i := strings.IndexByte(rest, '$'); i >= 0 {
			rest = rest[:i]
		}
	} else if strings.IndexByte(rest, '$') >= 0 {
		return setting{}, fmt.Errorf("%w: bare salt contains \"$\"", ErrSalt)
	}
	st := setting{}
	if st.n, st.r, err = parseYescryptParams(params); err != nil {
		return setting{}, err
	}
	if rest == "" {
		return setting{}, fmt.Errorf("%w: empty salt", ErrSalt)
	}
	if len(rest) > (yesMaxSaltBytes*8+5)/6 {
		return setting{}, fmt.Errorf("%w: yescrypt salt of %d characters (at most %d bytes)", ErrSalt, len(rest), yesMaxSaltBytes)
	}
	st.rawSalt = yescrypt.Decode64([]byte(rest))
	if st.rawSalt == nil {
		return setting{}, fmt.Errorf("%w: yescrypt salt %q is not in yescrypt's base-64 (characters [./0-9A-Za-z], unused trailing bits zero)", ErrSalt, rest)
	}
	st.prefix = Yescrypt.Prefix() + params + "$" + rest + "$"
	return st, nil
}

func parseYescryptParams(p string) (n, r int, err error) {
	if len(p) < 3 {
		return 0, 0, fmt.Errorf("%w: yescrypt parameters %q are too short", ErrSalt, p)
	}
	if p[0] != 'j' {
		return 0, 0, fmt.Errorf("%w: yescrypt flavor %q (only \"j\", the default, is implemented)", ErrUnsupported, p[0])
	}
	ln, rr := atoi64(p[1]), atoi64(p[2])
	if ln < 0 || rr < 0 {
		return 0, 0, fmt.Errorf("%w: yescrypt parameters %q are not base-64", ErrSalt, p)
	}
	if ln > yesMaxOneChar || rr > yesMaxOneChar || len(p) > 3 {
		return 0, 0, fmt.Errorf("%w: yescrypt parameters %q (only N and r, each one character, are implemented)", ErrUnsupported, p)
	}
	logN, r := ln+1, rr+1
	if logN < 2 {
		// yescrypt (and so libxcrypt) refuses N=2.
		return 0, 0, fmt.Errorf("%w: yescrypt parameters %q: N=%d is too small", ErrSalt, p, 1<<logN)
	}
	if int64(128)*int64(r)<<logN > yesMaxMemory {
		return 0, 0, fmt.Errorf("%w: yescrypt parameters %q need %d MiB (at most %d MiB)", ErrUnsupported, p, (int64(128)*int64(r)<<logN)>>20, yesMaxMemory>>20)
	}
	return 1 << logN, r, nil
}

// atoi64 is the value of a base-64 character in crypt's alphabet, or -1.
func atoi64(c byte) int {
	return strings.IndexByte(saltAlphabet, c)
}
