package customize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

const (
	shadowFixture = "root:*:19800:0:99999:7:::\n" +
		"daemon:*:19800:0:99999:7:::\n" +
		"alice:!:19801:0:99999:7:::\n"
	passwdFixture = "root:x:0:0:root:/root:/bin/bash\n" +
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
		"alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
)

func accountTree() testtool.Tree {
	return testtool.Tree{
		"etc/passwd":  passwdFixture,
		"etc/shadow":  shadowFixture,
		"etc/group":   "root:x:0:\nsudo:x:27:\nwheel:x:10:\nalice:x:1000:\n",
		"etc/gshadow": "root:*::\nsudo:*::\nwheel:*::\nalice:!::\n",
		"home/alice/": "",
		"root/":       "",
	}
}

// shadowField returns field 2 of user's shadow line and checks that the
// other fields are untouched.
func shadowField(t *testing.T, root fs.FS, user string) string {
	t.Helper()
	got := read(t, root, "/etc/shadow")
	for i, l := range strings.Split(got, "\n") {
		f := strings.Split(l, ":")
		if f[0] != user {
			continue
		}
		orig := strings.Split(strings.Split(shadowFixture, "\n")[i], ":")
		f2 := append([]string{}, f...)
		f2[1] = orig[1]
		if strings.Join(f2, ":") != strings.Join(orig, ":") {
			t.Fatalf("shadow line of %s changed beyond field 2: %q (was %q)", user, l, strings.Join(orig, ":"))
		}
		return f[1]
	}
	t.Fatalf("no shadow line for %s in %q", user, got)
	return ""
}

// libcryptCheck verifies hash with the system's libcrypt through perl's
// crypt(): the hash must reproduce itself from the password.
func libcryptCheck(t *testing.T, password, hash string) {
	t.Helper()
	testtool.Need(t, "perl")
	out := testtool.Run(t, "perl", "-e", "print crypt($ARGV[0], $ARGV[1])", password, hash)
	if out != hash {
		t.Fatalf("libcrypt crypt(%q, %q) = %q: our hash does not verify", password, hash, out)
	}
}

func TestPasswordSchemesVerifyWithLibcrypt(t *testing.T) {
	for _, c := range []struct {
		g      *guest.Guest
		defs   string
		crypto string
		prefix string
	}{
		{debian12(), "", "", "$y$"}, // Debian ≥ 11 default
		{&guest.Guest{OS: "linux", Distro: "debian", Family: guest.FamilyDebian, Major: 10}, "", "", "$6$"},
		{rocky9(), "", "", "$y$"},                             // RHEL family ≥ 9, by family
		{alma8(), "", "", "$6$"},                              // RHEL 8: sha512
		{rocky9(), "ENCRYPT_METHOD SHA512\n", "", "$6$"},      // login.defs wins over the default
		{rocky9(), "ENCRYPT_METHOD SHA256\n", "", "$5$"},      //
		{debian12(), "ENCRYPT_METHOD SHA512\n", "md5", "$1$"}, // password-crypto wins over all
		{alma8(), "ENCRYPT_METHOD YESCRYPT\n", "", "$y$"},     //
		{unknownLinux(), "", "", "$6$"},                       // sha512 when unknown
	} {
		tr := accountTree()
		if c.defs != "" {
			tr["etc/login.defs"] = c.defs
		}
		steps := []Step{{"root-password", "password:s3cr:t pw"}}
		if c.crypto != "" {
			steps = append(steps, Step{"password-crypto", c.crypto})
		}
		res := mustApply(t, c.g, tr, steps...)
		h := shadowField(t, res.root, "root")
		if !strings.HasPrefix(h, c.prefix) {
			t.Errorf("%s %q %q: hash %q, want prefix %s", c.g.Distro, c.defs, c.crypto, h, c.prefix)
			continue
		}
		libcryptCheck(t, "s3cr:t pw", h)
		if len(res.diff) != 1 || !strings.HasPrefix(res.diff[0], "~ /etc/shadow ") {
			t.Errorf("diff %v: want only /etc/shadow changed", res.diff)
		}
		for _, l := range res.logs {
			if strings.Contains(l, "s3cr") {
				t.Fatalf("password in a log line: %q", l)
			}
		}
	}
}

func TestPasswordSelectors(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, debian12(), accountTree(),
		Step{"password", "alice:file:" + pwFile},
		Step{"root-password", "random"},
		Step{"password", "daemon:locked:password:x"},
		Step{"password-crypto", "sha512"},
	)
	libcryptCheck(t, "from-file", shadowField(t, res.root, "alice"))
	if len(res.stdout) != 1 || !strings.HasPrefix(res.stdout[0], "root password: ") {
		t.Fatalf("stdout = %q, want one \"root password: ...\" line", res.stdout)
	}
	pw := strings.TrimPrefix(res.stdout[0], "root password: ")
	if len(pw) != 16 || strings.ContainsAny(pw, "0O1lI") {
		t.Fatalf("random password %q: want 16 characters without look-alikes", pw)
	}
	libcryptCheck(t, pw, shadowField(t, res.root, "root"))
	d := shadowField(t, res.root, "daemon")
	if !strings.HasPrefix(d, "!!$6$") {
		t.Fatalf("locked:password: field %q, want !!$6$...", d)
	}
	libcryptCheck(t, "x", d[2:])
	for _, l := range append(res.logs, res.warns...) {
		if strings.Contains(l, pw) {
			t.Fatalf("random password in a log line: %q", l)
		}
	}

	res = mustApply(t, debian12(), accountTree(), Step{"root-password", "disabled"}, Step{"password", "alice:locked"})
	if f := shadowField(t, res.root, "root"); f != "*" {
		t.Errorf("disabled: %q", f)
	}
	if f := shadowField(t, res.root, "alice"); f != "!!*" {
		t.Errorf("locked: %q", f)
	}
}

func TestPasswordKeepsShadowAttributes(t *testing.T) {
	root := testtool.MemFS(t, accountTree())
	if err := root.Chmod("/etc/shadow", 0o640); err != nil {
		t.Fatal(err)
	}
	if err := root.Lchown("/etc/shadow", 0, 42); err != nil {
		t.Fatal(err)
	}
	if err := root.SetXattr("/etc/shadow", "security.selinux", []byte("system_u:object_r:shadow_t:s0")); err != nil {
		t.Fatal(err)
	}
	before := testtool.FSSnapshot(t, root)
	if err := Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{{"root-password", "locked"}}); err != nil {
		t.Fatal(err)
	}
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)),
		`~ /etc/shadow f 0640 0:42 "root:!!*:19800:0:99999:7:::\ndaemon:*:19800:0:99999:7:::\nalice:!:19801:0:99999:7:::\n" xattr{security.selinux="system_u:object_r:shadow_t:s0"}`)
}

func TestPasswordErrors(t *testing.T) {
	res, err := apply(t, debian12(), accountTree(), Step{"write", "/etc/motd:hi"}, Step{"password", "bob:password:x"})
	wantErr(t, err, `customize --password "bob:password:<hidden>"`, `user "bob"`, "/etc/shadow")
	if strings.Contains(err.Error(), "password:x") {
		t.Fatalf("password in error %q", err)
	}
	_ = res
	res, err = apply(t, debian12(), accountTree(), Step{"write", "/etc/motd:hi"}, Step{"root-password", "password:a"}, Step{"password", "root:disabled"})
	wantErr(t, err, `password of "root" is set twice`)
	wantDiff(t, res.diff) // refused before any write
	_, err = apply(t, debian12(), accountTree(), Step{"password", "alice:file:/nonexistent/pw"})
	wantErr(t, err, "/nonexistent/pw")
}

func TestPasswordValidate(t *testing.T) {
	for _, s := range []Step{
		{"root-password", ""}, {"root-password", "password:"}, {"root-password", "pasword:x"},
		{"root-password", "random:x"}, {"root-password", "locked:locked"}, {"password", "alice"},
		{"password", ":password:x"}, {"password", "al ice:random"}, {"password-crypto", "des"},
		{"password-crypto", "SHA512"},
	} {
		err := s.Validate()
		if err == nil {
			t.Errorf("%v accepted", s)
			continue
		}
		if strings.Contains(s.Arg, "password:") && strings.Contains(err.Error(), s.Arg) && s.Arg != "password:" {
			t.Errorf("%v: error %q shows the password", s, err)
		}
	}
	for _, s := range []Step{{"root-password", "password:a:b:c"}, {"root-password", "locked:random"},
		{"password", "svc$:disabled"}, {"password-crypto", "yescrypt"}} {
		if err := s.Validate(); err != nil {
			t.Errorf("%v: %v", s, err)
		}
	}
}

func TestDefaultScheme(t *testing.T) {
	for _, c := range []struct {
		g    *guest.Guest
		want crypt.Scheme
	}{
		{&guest.Guest{OS: "linux", Distro: "ubuntu", Family: guest.FamilyDebian, Major: 20}, crypt.Yescrypt},
		{&guest.Guest{OS: "linux", Distro: "ubuntu", Family: guest.FamilyDebian, Major: 18}, crypt.SHA512},
		{&guest.Guest{OS: "linux", Distro: "fedora", Family: guest.FamilyFedora, Major: 30}, crypt.Yescrypt},
		{&guest.Guest{OS: "linux", Distro: "fedora", Family: guest.FamilyFedora, Major: 29}, crypt.SHA512},
		{&guest.Guest{OS: "linux", Distro: "sles", Family: guest.FamilySUSE, Major: 15}, crypt.Yescrypt},
		{&guest.Guest{OS: "linux", Distro: "sles", Family: guest.FamilySUSE, Major: 12}, crypt.SHA512},
		{&guest.Guest{OS: "linux", Distro: "ol", Family: guest.FamilyRHEL, Major: 9}, crypt.Yescrypt},
		{&guest.Guest{OS: "linux", Distro: "linuxmint", Family: guest.FamilyDebian, Major: 21}, crypt.SHA512},
	} {
		if got := defaultScheme(c.g); got != c.want {
			t.Errorf("%s %d: %s, want %s", c.g.Distro, c.g.Major, got, c.want)
		}
	}
}

func TestPasswordHashSelector(t *testing.T) {
	h, err := crypt.HashWithSalt("prehashed", crypt.SHA512, "abcdefgh12345678")
	if err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, debian12(), accountTree(), Step{"root-password", "hash:" + h}, Step{"password", "alice:locked:hash:" + h})
	if f := shadowField(t, res.root, "root"); f != h {
		t.Fatalf("hash: root field %q, want the given hash %q verbatim", f, h)
	}
	libcryptCheck(t, "prehashed", shadowField(t, res.root, "root"))
	if f := shadowField(t, res.root, "alice"); f != "!!"+h {
		t.Fatalf("locked:hash: alice field %q, want !!%s", f, h)
	}
	for _, bad := range []string{"hash:", "hash:plain", "hash:$6$salt", "hash:$6$a$b:c", "hash:$6$a$b\nx", "hash:$6$a$b c"} {
		if err := (Step{"root-password", bad}).Validate(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
