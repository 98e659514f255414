package accounts

import (
	"errors"
	"slices"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

const (
	debPasswd = "root:x:0:0:root:/root:/bin/bash\n" +
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
		"alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n" +
		"bob:x:1001:1001::/home/bob:/bin/sh\n" +
		"+::::::\n"
	debShadow = "root:*:19000:0:99999:7:::\n" +
		"daemon:*:19000:0:99999:7:::\n" +
		"alice:$y$j9T$x$y:19500:0:99999:7:::\n" +
		"bob:!:19501:0:99999:7:::\n"
	debGroup   = "root:x:0:\nsudo:x:27:alice,bob\nalice:x:1000:\nbob:x:1001:\nusers:x:100:bob\n"
	debGShadow = "root:*::\nsudo:*:bob:alice,bob\nalice:!::\nbob:!::\nusers:*::bob\n"
	debSubUID  = "alice:100000:65536\nbob:165536:65536\n1001:231072:65536\n"
)

func debTree() testtool.Tree {
	return testtool.Tree{
		"etc/passwd": debPasswd, "etc/shadow": debShadow, "etc/group": debGroup,
		"etc/gshadow": debGShadow, "etc/subuid": debSubUID, "etc/subgid": "alice:100000:65536\nbob:165536:65536\n",
		"etc/login.defs": "UID_MIN 1000\nUID_MAX 60000\nPASS_MAX_DAYS 99999\nPASS_MIN_DAYS 0\nPASS_WARN_AGE 7\n",
	}
}

func load(t *testing.T, tr testtool.Tree) (*DB, func(p string) string) {
	t.Helper()
	root := testtool.MemFS(t, tr)
	db, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		t.Helper()
		if err := db.Save(root); err != nil {
			t.Fatal(err)
		}
		b, err := readFile(root, p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return db, read
}

func TestSetPasswordOnlyField2(t *testing.T) {
	db, read := load(t, debTree())
	if err := db.SetPassword("bob", "$6$salt$hash"); err != nil {
		t.Fatal(err)
	}
	want := "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nalice:$y$j9T$x$y:19500:0:99999:7:::\nbob:$6$salt$hash:19501:0:99999:7:::\n"
	if got := read("/etc/shadow"); got != want {
		t.Fatalf("shadow:\n%s\nwant\n%s", got, want)
	}
	if err := db.SetPassword("carol", "*"); !errors.Is(err, ErrNoUser) {
		t.Fatalf("missing user: err = %v, want ErrNoUser", err)
	}
	if err := db.SetPassword("bob", "a:b"); err == nil {
		t.Fatal("a hash with ':' was accepted")
	}
}

func TestRemoveUserEverywhere(t *testing.T) {
	db, read := load(t, debTree())
	r := db.RemoveUser("bob")
	if !slices.Equal(r.Memberships, []string{"sudo", "users"}) {
		t.Errorf("memberships = %v", r.Memberships)
	}
	for p, want := range map[string]string{
		"/etc/passwd":  "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n+::::::\n",
		"/etc/shadow":  "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nalice:$y$j9T$x$y:19500:0:99999:7:::\n",
		"/etc/group":   "root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nusers:x:100:\n",
		"/etc/gshadow": "root:*::\nsudo:*::alice\nalice:!::\nusers:*::\n",
		"/etc/subuid":  "alice:100000:65536\n",
		"/etc/subgid":  "alice:100000:65536\n",
	} {
		if got := read(p); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", p, got, want)
		}
	}
}

func TestRemoveUserKeepsSharedPrimaryGroup(t *testing.T) {
	tr := debTree()
	tr["etc/passwd"] += "carol:x:1002:1001::/home/carol:/bin/sh\n" // bob's group is carol's primary
	db, read := load(t, tr)
	db.RemoveUser("bob")
	if got := read("/etc/group"); got != "root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nbob:x:1001:\nusers:x:100:\n" {
		t.Fatalf("group:\n%s", got)
	}
}

func TestUsersReportsMalformed(t *testing.T) {
	db, _ := load(t, testtool.Tree{"etc/passwd": "root:x:0:0::/root:/bin/sh\nbad:x:zz:0::/:/bin/sh\nshort:x\n"})
	us, err := db.Users()
	if len(us) != 1 || err == nil {
		t.Fatalf("users = %v, err = %v", us, err)
	}
	if _, err := db.LookupUser("bad"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("LookupUser(bad) = %v", err)
	}
}
