package crypt

import (
	"errors"
	"strings"
	"testing"
)

// FuzzHashWithSalt feeds arbitrary salt/setting strings to every scheme: no
// panic, an error or a well-formed hash that Verify accepts. Costs above the
// defaults are parsed but not computed, to keep the fuzzer fast.
func FuzzHashWithSalt(f *testing.F) {
	for _, s := range []string{
		"saltsalt", "$6$rounds=1000$salt$x", "$5$abc", "$1$saltsalt$hash", "F5Jx5fExrKuJdmJXAXySH/",
		"$y$j9T$abcd$m4rN8yJJ4tdD.J1IY61EvCGMH3ULkDSqWJ8omMKRyl0", "$y$jAv$abcd", "$y$j9T5$ab", "", "$", "$6$rounds=",
	} {
		f.Add(s, uint8(0))
	}
	schemes := []Scheme{SHA512, SHA256, MD5, Yescrypt}
	f.Fuzz(func(t *testing.T, salt string, which uint8) {
		s := schemes[int(which)%len(schemes)]
		st, err := parseSetting(s, salt)
		if err != nil {
			if !errors.Is(err, ErrSalt) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("parseSetting(%s, %q): unexpected error kind %v", s, salt, err)
			}
			return
		}
		if st.rounds > shaDefaultRound || st.n*st.r > 4096*32 {
			return
		}
		h, err := HashWithSalt("pw", s, salt)
		if err != nil {
			t.Fatalf("HashWithSalt(%s, %q) after a good parse: %v", s, salt, err)
		}
		if !strings.HasPrefix(h, st.prefix) || strings.Count(h, "$") != strings.Count(st.prefix, "$") {
			t.Fatalf("HashWithSalt(%s, %q) = %q, want prefix %q and a $-free digest", s, salt, h, st.prefix)
		}
		if ok, err := Verify("pw", h); !ok || err != nil {
			t.Fatalf("Verify(pw, %q) = %v, %v", h, ok, err)
		}
	})
}
