package crypt

import (
	"bytes"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// libxcryptScript reads "hex(password) hex(setting)" lines and prints
// crypt(3)'s answer for each: perl's crypt is the system libcrypt
// (libxcrypt on Debian 12), the reference every hash here must equal.
const libxcryptScript = `while (<STDIN>) { chomp; my ($p, $s) = split / /; print crypt(pack("H*", $p), pack("H*", $s)), "\n"; }`

// libxcrypt hashes each case with the system's crypt(3).
func libxcrypt(t *testing.T, cases [][2]string) []string {
	t.Helper()
	testtool.Need(t, "perl")
	var in bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&in, "%s %s\n", hex.EncodeToString([]byte(c[0])), hex.EncodeToString([]byte(c[1])))
	}
	cmd := exec.Command("perl", "-e", libxcryptScript)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("perl crypt: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("perl crypt: %d answers for %d cases", len(lines), len(cases))
	}
	return lines
}

// randomPassword makes passwords of 0 to 80 bytes: ASCII, UTF-8 and raw
// bytes (never NUL, which crypt(3) cannot see), past the 64-byte SHA-512
// block and the 16/32-byte digest lengths that SHA-crypt repeats.
func randomPassword(r *mrand.Rand) string {
	n := r.IntN(81)
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(4) {
		case 0:
			b.WriteRune(rune(0x80 + r.IntN(0x2000))) // UTF-8
		case 1:
			b.WriteByte(byte(1 + r.IntN(255))) // any byte but NUL
		default:
			b.WriteByte(byte(' ' + r.IntN(95))) // printable ASCII
		}
	}
	return b.String()
}

func randomSaltChars(r *mrand.Rand, max int) string {
	b := make([]byte, 1+r.IntN(max))
	for i := range b {
		b[i] = saltAlphabet[r.IntN(64)]
	}
	return string(b)
}

// TestHashWithSaltMatchesLibxcrypt compares every scheme with libxcrypt on
// random passwords and salts, bare and as full settings (rounds=, other
// yescrypt costs, a trailing old hash).
func TestHashWithSaltMatchesLibxcrypt(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, uint64(len(t.Name()))))
	type tc struct {
		s          Scheme
		pw, salt   string
		setting    string // what libxcrypt gets
		wantPrefix string
	}
	var cases []tc
	for i := 0; i < 40; i++ {
		for _, s := range []Scheme{SHA512, SHA256} {
			salt := randomSaltChars(r, shaMaxSalt)
			cases = append(cases, tc{s, randomPassword(r), salt, s.Prefix() + salt, s.Prefix() + salt + "$"})
		}
		salt := randomSaltChars(r, md5MaxSalt)
		cases = append(cases, tc{MD5, randomPassword(r), salt, "$1$" + salt, "$1$" + salt + "$"})
		raw := make([]byte, 1+r.IntN(yesMaxSaltBytes))
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		ys := encode64(raw)
		cases = append(cases, tc{Yescrypt, randomPassword(r), ys, "$y$j9T$" + ys, "$y$j9T$" + ys + "$"})
	}
	for _, s := range []Scheme{SHA512, SHA256} {
		for _, rounds := range []int{1000, 1001, 5000, 7777} {
			set := fmt.Sprintf("%srounds=%d$%s", s.Prefix(), rounds, randomSaltChars(r, shaMaxSalt))
			cases = append(cases, tc{s, randomPassword(r), set + "$oldhash", set, set + "$"})
		}
	}
	// Other yescrypt costs: small and large N, r from 1 to 32, with and
	// without yescrypt's pre-hashing pass (N >= 256 and N*r >= 2^17).
	for _, params := range []string{"j/.", "j7T", "j8T", "jA.", "j9/", "j9J", "jAT", "jBT", "jD.", "j9U"} {
		set := "$y$" + params + "$" + encode64([]byte(randomSaltChars(r, 16)))
		cases = append(cases, tc{Yescrypt, randomPassword(r), set, set, set + "$"})
	}
	pairs := make([][2]string, len(cases))
	for i, c := range cases {
		pairs[i] = [2]string{c.pw, c.setting}
	}
	want := libxcrypt(t, pairs)
	for i, c := range cases {
		got, err := HashWithSalt(c.pw, c.s, c.salt)
		if err != nil {
			t.Errorf("HashWithSalt(%q, %s, %q): %v", c.pw, c.s, c.salt, err)
			continue
		}
		if got != want[i] {
			t.Errorf("HashWithSalt(%q, %s, %q)\n got %s\nwant %s (libxcrypt)", c.pw, c.s, c.salt, got, want[i])
		}
		if !strings.HasPrefix(got, c.wantPrefix) {
			t.Errorf("HashWithSalt(%q, %s, %q) = %s, want prefix %s", c.pw, c.s, c.salt, got, c.wantPrefix)
		}
		if ok, err := Verify(c.pw, want[i]); !ok || err != nil {
			t.Errorf("Verify(%q, %s) = %v, %v; want true", c.pw, want[i], ok, err)
		}
	}
}

// TestHashMatchesLibxcrypt checks that libxcrypt accepts Hash's random
// salts and computes the same string from them (so Hash's salts, costs and
// layout are what a guest's login will verify).
func TestHashMatchesLibxcrypt(t *testing.T) {
	var pairs [][2]string
	var got []string
	for i := 0; i < 5; i++ {
		for _, s := range []Scheme{SHA512, SHA256, MD5, Yescrypt} {
			pw := fmt.Sprintf("pässword %d %s", i, s)
			h, err := Hash(pw, s)
			if err != nil {
				t.Fatalf("Hash(%s): %v", s, err)
			}
			pairs = append(pairs, [2]string{pw, h})
			got = append(got, h)
		}
	}
	want := libxcrypt(t, pairs)
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("Hash(%q) = %s; libxcrypt recomputes %s", pairs[i][0], got[i], want[i])
		}
	}
}

// TestSaltLimitsAgreeWithLibxcrypt checks that settings we refuse are ones
// libxcrypt also refuses or would silently truncate, and vice versa at the
// edges.
func TestSaltLimitsAgreeWithLibxcrypt(t *testing.T) {
	long := encode64(bytes.Repeat([]byte{0xa5}, yesMaxSaltBytes))
	tooLong := encode64(bytes.Repeat([]byte{0xa5}, yesMaxSaltBytes+1))
	cases := []struct {
		setting string
		ok      bool // libxcrypt gives a hash (not "*0") of the same setting
	}{
		{"$y$j9T$" + long, true},
		{"$y$j9T$" + tooLong, false},
		{"$y$j..$abcd", false},                   // N=2
		{"$y$jAv$abcd", false},                   // r needs two characters
		{"$y$j9T$abcdefghijklmnopqrstuv", false}, // trailing bits set
		{"$6$rounds=999$salt", false},
		{"$6$rounds=01000$salt", false},
		{"$6$rounds=$salt", false},
		{"$6$sa:lt", false},
		{"$5$rounds=1000$salt", true},
	}
	pairs := make([][2]string, len(cases))
	for i, c := range cases {
		pairs[i] = [2]string{"pw", c.setting}
	}
	ref := libxcrypt(t, pairs)
	for i, c := range cases {
		libOK := !strings.HasPrefix(ref[i], "*")
		if libOK != c.ok {
			t.Errorf("libxcrypt on %q: %q, want ok=%v", c.setting, ref[i], c.ok)
		}
		s := Yescrypt
		if strings.HasPrefix(c.setting, "$6$") {
			s = SHA512
		} else if strings.HasPrefix(c.setting, "$5$") {
			s = SHA256
		}
		got, err := HashWithSalt("pw", s, c.setting)
		if (err == nil) != c.ok {
			t.Errorf("HashWithSalt(%q) = %q, %v; want ok=%v", c.setting, got, err, c.ok)
		}
		if err == nil && got != ref[i] {
			t.Errorf("HashWithSalt(%q) = %q, libxcrypt %q", c.setting, got, ref[i])
		}
	}
}

// encode64 is yescrypt's little-endian base-64, as crypt(3) strings use it.
func encode64(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i += 3 {
		var v uint32
		n := 0
		for ; n < 3 && i+n < len(b); n++ {
			v |= uint32(b[i+n]) << (8 * n)
		}
		for bits := 0; bits < 8*n; bits += 6 {
			out = append(out, saltAlphabet[v&63])
			v >>= 6
		}
	}
	return string(out)
}
