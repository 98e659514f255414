package crypt

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestHashWithSaltVectors pins known answers: the SHA-crypt specification's
// own test vectors and libxcrypt 4.4.33's outputs for the other schemes, so
// the schemes are checked even where perl is missing.
func TestHashWithSaltVectors(t *testing.T) {
	cases := []struct {
		s              Scheme
		pw, salt, want string
	}{
		// Drepper, "Unix crypt using SHA-256 and SHA-512", test vectors.
		{SHA256, "Hello world!", "saltstring", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
		{SHA512, "Hello world!", "saltstring", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
		{SHA512, "Hello world!", "$6$rounds=10000$saltstringsaltst", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
		// libxcrypt 4.4.33 (Debian 12).
		{SHA512, "pw", "saltsaltsaltsalt", "$6$saltsaltsaltsalt$.NRdXhGF7aIqFA0V3MOlnN0T8ecsXGrF.lehfnGm0TwFsNB8VWqs56ykUfVXu8cUgatHwmmkJO5fbOI6RoZAN0"},
		{SHA512, "", "abc", "$6$abc$mJP3a6FyA8uCnzRtlnNypPwjnvpi5TP9qOrInzrfDmwxUQG38PkpCPdqfTb8JQfAngapMxeim4AZ..hSdRRzD."},
		{SHA512, "pw", "$6$rounds=5000$salt", "$6$rounds=5000$salt$AkOOBO38SQQ8T8Q46KuCONe.8zg41nvCDKDq7pVQd2n2hy8sf8aR3G89VY.57up0eSIa/69odCCcLT4hx7FpW/"},
		{SHA256, "pw", "$5$abc$junk", "$5$abc$/LKlXd6vuvdFX3oWbf2vGk3DgflzzsvOtMZsiOxqqY5"},
		{MD5, "pw", "saltsalt", "$1$saltsalt$6SNdNaZLKst2LlSm7oPPL1"},
		{MD5, "Hello world!", "$1$saltsalt$", "$1$saltsalt$le8lFSqqnPaRFOlmAZpvH1"},
		{MD5, "pw", "a", "$1$a$Slr4opLRbq0iJ7N2AZjfg/"},
		{Yescrypt, "pw", "F5Jx5fExrKuJdmJXAXySH/", "$y$j9T$F5Jx5fExrKuJdmJXAXySH/$OKTWqg22zyaWLkUWjHATlCIVPODK8Bea4d/l1kZv.Y."},
		{Yescrypt, "Hello world!", "$y$j9T$F5Jx5fExrKuJdmJXAXySH/", "$y$j9T$F5Jx5fExrKuJdmJXAXySH/$5bIqj8YVcqfpNn94KiICu3LpxZkGgDhi5/BIuyne0D6"},
		{Yescrypt, "pw", "$y$j9T$abcd$xyz", "$y$j9T$abcd$m4rN8yJJ4tdD.J1IY61EvCGMH3ULkDSqWJ8omMKRyl0"},
		{Yescrypt, "p\xe9", "abcd", "$y$j9T$abcd$go2Ufvaar0FGMHUQj17oS.GJE05G9CPXweH2Xd.98o."},
		{Yescrypt, "Hello world!", "$y$j7T$abcd", "$y$j7T$abcd$LDh.FG/7yYEvEU0Kae4uEp9olFsguGGfktCuimtvVs/"},
		{Yescrypt, "Hello world!", "$y$jA.$abcd", "$y$jA.$abcd$20Mbu6J.RODMBbDwmwcUpnDq5U.aIzLYZ9YUHMJEzU/"},
		{Yescrypt, "Hello world!", "$y$j/.$abcd", "$y$j/.$abcd$R2FJ9d.Wu9YMXRPMDUxcX2aKFPzxPR83kBoPQsNYdb1"},
	}
	for _, c := range cases {
		got, err := HashWithSalt(c.pw, c.s, c.salt)
		if err != nil || got != c.want {
			t.Errorf("HashWithSalt(%q, %s, %q) = %q, %v\nwant %q", c.pw, c.s, c.salt, got, err, c.want)
		}
		if ok, err := Verify(c.pw, c.want); !ok || err != nil {
			t.Errorf("Verify(%q, %q) = %v, %v", c.pw, c.want, ok, err)
		}
		if ok, err := Verify(c.pw+"x", c.want); ok || err != nil {
			t.Errorf("Verify(wrong password, %q) = %v, %v; want false, nil", c.want, ok, err)
		}
	}
}

func TestHashWithSaltRejects(t *testing.T) {
	cases := []struct {
		s    Scheme
		salt string
		want error
	}{
		{SHA512, "", ErrSalt},
		{SHA512, "$6$", ErrSalt},
		{SHA512, "$6$$hash", ErrSalt},
		{SHA512, "saltsaltsaltsaltX", ErrSalt}, // 17: crypt(3) would truncate
		{SHA512, "sa:lt", ErrSalt},
		{SHA512, "sa$lt", ErrSalt},
		{SHA512, "sa lt", ErrSalt},
		{SHA512, "$5$salt", ErrSalt}, // another scheme's setting
		{SHA512, "$6$rounds=999$salt", ErrSalt},
		{SHA512, "$6$rounds=01000$salt", ErrSalt},
		{SHA512, "$6$rounds=+1000$salt", ErrSalt},
		{SHA512, "$6$rounds=10000000$salt", ErrSalt}, // above our cap
		{SHA512, "$6$rounds=1000", ErrSalt},
		{SHA256, "$5$rounds=1000$", ErrSalt},
		{MD5, "saltsaltX", ErrSalt},
		{MD5, "$1$", ErrSalt},
		{MD5, "$1$sa*t", ErrSalt},
		{Yescrypt, "", ErrSalt},
		{Yescrypt, "$y$j9T$", ErrSalt},
		{Yescrypt, "$y$j9T", ErrSalt},
		{Yescrypt, "$y$j9$abcd", ErrSalt},
		{Yescrypt, "abcdefghijklmnopqrstuv", ErrSalt}, // trailing bits set
		{Yescrypt, "a", ErrSalt},                      // not a whole byte
		{Yescrypt, "ab$cd", ErrSalt},
		{Yescrypt, "ab-d", ErrSalt},
		{Yescrypt, "$y$j..$abcd", ErrSalt},                  // N=2
		{Yescrypt, "$y$i9T$abcd", ErrUnsupported},           // another flavor
		{Yescrypt, "$y$jAv$abcd", ErrUnsupported},           // two-character r
		{Yescrypt, "$y$j9T5$abcd", ErrUnsupported},          // optional p/t/ROM fields
		{Yescrypt, "$y$jGT$abcd", ErrUnsupported},           // 2 GiB
		{Yescrypt, "$7$CU..../....abcd", ErrSalt},           // scrypt
		{Yescrypt, strings.Repeat("A", 86) + "..", ErrSalt}, // > 64 bytes
		{"des", "ab", ErrScheme},
	}
	for _, c := range cases {
		got, err := HashWithSalt("pw", c.s, c.salt)
		if !errors.Is(err, c.want) {
			t.Errorf("HashWithSalt(%s, %q) = %q, %v; want %v", c.s, c.salt, got, err, c.want)
		}
	}
	if _, err := HashWithSalt("p\x00w", SHA512, "salt"); err == nil {
		t.Errorf("HashWithSalt accepted a password with NUL")
	}
	if !errors.Is(ErrUnsupported, errors.ErrUnsupported) {
		t.Errorf("ErrUnsupported does not wrap errors.ErrUnsupported")
	}
}

func TestHashFormat(t *testing.T) {
	pats := map[Scheme]*regexp.Regexp{
		SHA512:   regexp.MustCompile(`^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$`),
		SHA256:   regexp.MustCompile(`^\$5\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$`),
		MD5:      regexp.MustCompile(`^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$`),
		Yescrypt: regexp.MustCompile(`^\$y\$j9T\$[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$`),
	}
	for s, re := range pats {
		a, err := Hash("secret", s)
		if err != nil {
			t.Fatalf("Hash(%s): %v", s, err)
		}
		b, _ := Hash("secret", s)
		if !re.MatchString(a) {
			t.Errorf("Hash(%s) = %q, want %v", s, a, re)
		}
		if a == b {
			t.Errorf("Hash(%s) twice gave the same salt: %q", s, a)
		}
		if ok, err := Verify("secret", a); !ok || err != nil {
			t.Errorf("Verify(Hash(%s)) = %v, %v", s, ok, err)
		}
	}
	if _, err := Hash("x", "des"); !errors.Is(err, ErrScheme) {
		t.Errorf("Hash(des) = %v, want ErrScheme", err)
	}
	for _, h := range []string{"!", "*", "!$6$abc$def", "", "$2b$05$abc"} {
		if ok, err := Verify("x", h); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestParseScheme(t *testing.T) {
	for in, want := range map[string]Scheme{
		"sha512": SHA512, "SHA-512": SHA512, "sha512crypt": SHA512, "$6$": SHA512,
		"sha256": SHA256, "SHA256": SHA256, "$5$": SHA256,
		"md5": MD5, "MD5-crypt": MD5, "$1$": MD5,
		"yescrypt": Yescrypt, "YesCrypt": Yescrypt, "$y$": Yescrypt,
	} {
		got, err := ParseScheme(in)
		if err != nil || got != want {
			t.Errorf("ParseScheme(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "des", "bcrypt", "crypt", "sha1", "$2b$"} {
		if got, err := ParseScheme(in); !errors.Is(err, ErrScheme) {
			t.Errorf("ParseScheme(%q) = %q, %v; want ErrScheme", in, got, err)
		}
	}
}
