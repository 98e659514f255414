package accounts

import (
	"errors"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func readFile(root fs.FS, p string) (string, error) {
	b, err := fs.ReadFile(root, p)
	return string(b), err
}

func TestAddUser(t *testing.T) {
	db, read := load(t, debTree())
	u, err := db.AddUser(NewUser{Name: "carol", UID: -1, Home: "/home/carol", Shell: "/bin/bash", LastChange: 20000})
	if err != nil {
		t.Fatal(err)
	}
	if u.UID != 1002 || u.GID != 1002 {
		t.Fatalf("uid:gid = %d:%d, want 1002:1002", u.UID, u.GID)
	}
	if err := db.AddMember("sudo", "carol"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"/etc/passwd":  "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\ncarol:x:1002:1002::/home/carol:/bin/bash\n+::::::\n",
		"/etc/shadow":  debShadow + "carol:!:20000:0:99999:7:::\n",
		"/etc/group":   "root:x:0:\nsudo:x:27:alice,bob,carol\nalice:x:1000:\nbob:x:1001:\nusers:x:100:bob\ncarol:x:1002:\n",
		"/etc/gshadow": "root:*::\nsudo:*:bob:alice,bob,carol\nalice:!::\nbob:!::\nusers:*::bob\ncarol:!::\n",
		"/etc/subuid":  debSubUID + "carol:296608:65536\n",
	} {
		if got := read(p); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", p, got, want)
		}
	}
	if _, err := db.AddUser(NewUser{Name: "carol", UID: -1}); !errors.Is(err, ErrExist) {
		t.Fatalf("second add: %v, want ErrExist", err)
	}
	if _, err := db.AddUser(NewUser{Name: "dave", UID: 1000}); !errors.Is(err, ErrExist) {
		t.Fatalf("taken uid: %v, want ErrExist", err)
	}
	if err := db.AddMember("nosuch", "carol"); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("AddMember to a missing group: %v", err)
	}
}

func TestAddUserGIDTaken(t *testing.T) {
	tr := debTree()
	tr["etc/group"] += "docker:x:1002:\n"
	db, _ := load(t, tr)
	u, err := db.AddUser(NewUser{Name: "carol", UID: -1, LastChange: 1})
	if err != nil {
		t.Fatal(err)
	}
	if u.UID != 1002 || u.GID != 1003 {
		t.Fatalf("uid:gid = %d:%d, want 1002:1003 (gid 1002 taken)", u.UID, u.GID)
	}
}

func TestNextFree(t *testing.T) {
	used := map[int]bool{1000: true, 1001: true, 5: true, 60000: true}
	if id, err := nextFree(used, 1000, 60000); err != nil || id != 1002 {
		// 60000 is used, so the top overflows and the lowest free one is taken.
		t.Fatalf("nextFree = %d, %v; want 1002", id, err)
	}
	if id, _ := nextFree(map[int]bool{1003: true}, 1000, 2000); id != 1004 {
		t.Fatalf("nextFree = %d, want 1004 (above the highest)", id)
	}
	if _, err := nextFree(map[int]bool{1: true, 2: true}, 1, 2); !errors.Is(err, ErrFull) {
		t.Fatalf("full range: %v", err)
	}
}
