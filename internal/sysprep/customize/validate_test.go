package customize

import (
	"strings"
	"testing"
	"unicode"
)

func TestStepStringHidesPasswords(t *testing.T) {
	for _, c := range []struct {
		s    Step
		want string
	}{
		{Step{"root-password", "password:hunter2"}, `--root-password "password:<hidden>"`},
		{Step{"root-password", "locked:password:a:b"}, `--root-password "locked:password:<hidden>"`},
		{Step{"password", "alice:password:x"}, `--password "alice:password:<hidden>"`},
		{Step{"root-password", "file:/run/secrets/pw"}, `--root-password "file:/run/secrets/pw"`},
		{Step{"add-user", "bob:uid=1200:password:pw"}, `--add-user "bob:uid=1200:password:<hidden>"`},
		{Step{"selinux-relabel", ""}, `--selinux-relabel`},
		{Step{"write", "/etc/motd:hi"}, `--write "/etc/motd:hi"`},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%#v.String() = %s, want %s", c.s, got, c.want)
		}
	}
}

func TestValidateMessages(t *testing.T) {
	for _, c := range []struct {
		s    Step
		want string
	}{
		{Step{"chmod", "99x:/etc/x"}, `customize --chmod "99x:/etc/x": bad mode "99x"`},
		{Step{"write", "etc/x:1"}, `customize --write "etc/x:1": file "etc/x": not an absolute guest path`},
		{Step{"chown", "0:0"}, `customize --chown "0:0": want UID:GID:PATH`},
		{Step{"hostnam", "x"}, `customize: unknown option --hostnam (did you mean "hostname"?)`},
		{Step{"", "x"}, `customize: empty option name`},
		{Step{"write", "/etc/x:a\x00b"}, `NUL`},
	} {
		err := c.s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.s, err, c.want)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, o := range Options() {
		f.Add(o, "/etc/x:1", "pw")
	}
	f.Add("add-user", "a:uid=1:groups=a,b:sudo", "x:y")
	f.Add("password", "root:locked", "s3cret")
	f.Fuzz(func(t *testing.T, op, arg, pw string) {
		s := Step{op, arg}
		_ = s.Validate() // never panics
		_ = s.String()
		// With a password selector appended, the password never shows.
		// pw must be a marker that cannot appear by chance in a message.
		if len(pw) < 8 || strings.ContainsFunc(pw, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) ||
			!strings.ContainsFunc(pw, unicode.IsDigit) || strings.Contains(arg, pw) {
			return
		}
		for _, o := range []string{"root-password", "password", "add-user"} {
			prefix := arg + ":"
			if o == "root-password" {
				prefix = ""
			}
			s := Step{o, prefix + "password:" + pw}
			if strings.Contains(s.String(), pw) {
				t.Fatalf("String() shows the password: %s", s)
			}
			if err := s.Validate(); err != nil && strings.Contains(err.Error(), pw) {
				t.Fatalf("Validate() shows the password: %v", err)
			}
		}
	})
}

func FuzzHostsRewrite(f *testing.F) {
	f.Add("127.0.1.1 old.example.com old # c\n::1 localhost\r\n", "old.example.com", "new.example.org")
	f.Fuzz(func(t *testing.T, line, old, name string) {
		otherSpace := func(r rune) bool { return unicode.IsSpace(r) && r != ' ' && r != '\t' }
		if strings.ContainsFunc(line, otherSpace) || strings.ContainsFunc(old+name, unicode.IsSpace) || old == "" {
			return
		}
		got := replaceHostFields(line, map[string]string{old: name})
		in, out := strings.Fields(line), strings.Fields(got)
		if len(in) == 0 {
			if got != line {
				t.Fatalf("blank line changed: %q -> %q", line, got)
			}
			return
		}
		if out[0] != in[0] {
			t.Fatalf("the address changed: %q -> %q", line, got)
		}
		for i := 1; i < len(in) && name != ""; i++ {
			want := in[i]
			if want == old {
				want = name
			}
			if out[i] != want {
				t.Fatalf("field %d: %q -> %q (line %q)", i, in[i], out[i], line)
			}
		}
	})
}
