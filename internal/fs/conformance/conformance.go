package conformance

import (
	"bytes"
	"errors"
	iofs "io/fs"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Run runs the shared cases against an engine. newFS returns a fresh,
// writable, (nearly) empty filesystem for each case; a lost+found directory
// is allowed. The engine's test closes and checks it afterwards (e2fsck,
// xfs_repair...) through t.Cleanup.
func Run(t *testing.T, newFS func(t *testing.T) fs.FS) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newFS(t)) })
	}
}

var cases = []struct {
	name string
	fn   func(t *testing.T, f fs.FS)
}{
	{"WriteFileCreate", testWriteFileCreate},
	{"WriteFileReplaceKeepsMetadata", testWriteFileReplace},
	{"WriteFileErrors", testWriteFileErrors},
	{"LargeFiles", testLargeFiles},
	{"Truncate", testTruncate},
	{"Mkdir", testMkdir},
	{"Remove", testRemove},
	{"Symlink", testSymlink},
	{"Link", testLink},
	{"Rename", testRename},
	{"RenameErrors", testRenameErrors},
	{"ChmodChownChtimes", testAttrs},
	{"Xattrs", testXattrs},
	{"XattrsSurviveEdits", testXattrsSurvive},
	{"InvalidPaths", testInvalidPaths},
	{"ManyEntries", testManyEntries},
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err matches target (errors.Is) and is a *PathError.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
	var pe *iofs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v is not a *fs.PathError", what, err)
	}
}

func readAll(t *testing.T, f fs.FS, p string) []byte {
	t.Helper()
	b, err := fs.ReadFile(f, p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantContent(t *testing.T, f fs.FS, p string, want []byte) {
	t.Helper()
	got := readAll(t, f, p)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: content differs: got %d bytes, want %d", p, len(got), len(want))
	}
	st, err := f.Lstat(p)
	must(t, err)
	if st.Size != int64(len(want)) {
		t.Fatalf("%s: size %d, want %d", p, st.Size, len(want))
	}
}

func lstat(t *testing.T, f fs.FS, p string) fs.Stat {
	t.Helper()
	st, err := f.Lstat(p)
	must(t, err)
	return st
}

func names(t *testing.T, f fs.FS, p string) []string {
	t.Helper()
	ents, err := f.ReadDir(p)
	must(t, err)
	var out []string
	for _, e := range ents {
		if e.Name != "lost+found" {
			out = append(out, e.Name)
		}
	}
	return out
}

func randBytes(seed int64, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func testWriteFileCreate(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/etc", 0o755))
	must(t, f.WriteFile("/etc/hostname", []byte("guest\n"), 0o640))
	must(t, f.WriteFile("/etc/empty", nil, 0o600))
	wantContent(t, f, "/etc/hostname", []byte("guest\n"))
	wantContent(t, f, "/etc/empty", nil)
	st := lstat(t, f, "/etc/hostname")
	if !st.IsRegular() || st.Mode.Perm() != 0o640 || st.Uid != 0 || st.Gid != 0 || st.Nlink != 1 {
		t.Fatalf("stat: %+v", st)
	}
	if time.Since(st.Mtime) > time.Hour || time.Since(st.Ctime) > time.Hour {
		t.Fatalf("times not set to now: %v %v", st.Mtime, st.Ctime)
	}
	ents, err := f.ReadDir("/etc")
	must(t, err)
	if len(ents) != 2 || ents[0].Name != "empty" || ents[1].Name != "hostname" || ents[1].Type != 0 || ents[1].Ino != st.Ino {
		t.Fatalf("ReadDir: %+v", ents)
	}
	r, size, err := f.Open("/etc/hostname")
	must(t, err)
	buf := make([]byte, 3)
	if n, err := r.ReadAt(buf, 2); n != 3 || err != nil || string(buf) != "est" || size != 6 {
		t.Fatalf("ReadAt: %d %v %q", n, err, buf)
	}
}

func testWriteFileReplace(t *testing.T, f fs.FS) {
	must(t, f.WriteFile("/f", []byte("one"), 0o600))
	must(t, f.Lchown("/f", 5, 6))
	must(t, f.SetXattr("/f", "user.k", []byte("v")))
	ino := lstat(t, f, "/f").Ino
	must(t, f.WriteFile("/f", []byte("second content"), 0o777))
	st := lstat(t, f, "/f")
	if st.Mode.Perm() != 0o600 || st.Uid != 5 || st.Gid != 6 || st.Ino != ino {
		t.Fatalf("replace changed metadata: %+v", st)
	}
	wantContent(t, f, "/f", []byte("second content"))
	xs, err := f.GetXattrs("/f")
	must(t, err)
	if string(xs["user.k"]) != "v" {
		t.Fatalf("xattrs after replace: %v", xs)
	}
}

func testWriteFileErrors(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/d", 0o755))
	must(t, f.WriteFile("/file", []byte("x"), 0o644))
	must(t, f.Symlink("file", "/link"))
	wantErr(t, "write over dir", f.WriteFile("/d", nil, 0o644), fs.ErrIsDir)
	wantErr(t, "missing parent", f.WriteFile("/nope/x", nil, 0o644), iofs.ErrNotExist)
	wantErr(t, "parent is a file", f.WriteFile("/file/x", nil, 0o644), fs.ErrNotDir)
	wantErr(t, "write over symlink", f.WriteFile("/link", nil, 0o644), iofs.ErrInvalid)
	_, err := f.Lstat("/missing")
	wantErr(t, "lstat missing", err, iofs.ErrNotExist)
	_, _, err = f.Open("/d")
	wantErr(t, "open dir", err, fs.ErrIsDir)
	_, err = f.ReadDir("/file")
	wantErr(t, "readdir file", err, fs.ErrNotDir)
	_, err = f.Readlink("/file")
	wantErr(t, "readlink file", err, iofs.ErrInvalid)
	wantErr(t, "name too long", f.WriteFile("/"+strings.Repeat("n", 256), nil, 0o644), fs.ErrTooLarge)
}

func testLargeFiles(t *testing.T, f fs.FS) {
	big := randBytes(1, 3<<20+123)
	must(t, f.WriteFile("/big", big, 0o644))
	wantContent(t, f, "/big", big)
	r, _, err := f.Open("/big")
	must(t, err)
	part := make([]byte, 70000)
	_, err = r.ReadAt(part, 1<<20+7)
	must(t, err)
	if !bytes.Equal(part, big[1<<20+7:1<<20+7+70000]) {
		t.Fatal("ReadAt in the middle differs")
	}
	small := randBytes(2, 5000)
	must(t, f.WriteFile("/big", small, 0o644))
	wantContent(t, f, "/big", small)
	// Interleave several growing files so their blocks fragment.
	var files [][]byte
	for i := 0; i < 4; i++ {
		files = append(files, nil)
	}
	for round := 0; round < 6; round++ {
		for i := range files {
			files[i] = append(files[i], randBytes(int64(round*10+i), 40000)...)
			must(t, f.WriteFile("/frag"+string(rune('a'+i)), files[i], 0o644))
		}
	}
	for i := range files {
		wantContent(t, f, "/frag"+string(rune('a'+i)), files[i])
	}
}

func testTruncate(t *testing.T, f fs.FS) {
	data := randBytes(3, 100000)
	must(t, f.WriteFile("/t", data, 0o644))
	must(t, f.Truncate("/t", 5000))
	wantContent(t, f, "/t", data[:5000])
	must(t, f.Truncate("/t", 9000))
	want := append(append([]byte(nil), data[:5000]...), make([]byte, 4000)...)
	wantContent(t, f, "/t", want)
	must(t, f.Truncate("/t", 0))
	wantContent(t, f, "/t", nil)
	must(t, f.Truncate("/t", 1<<20))
	wantContent(t, f, "/t", make([]byte, 1<<20))
	must(t, f.Mkdir("/d", 0o755))
	wantErr(t, "truncate dir", f.Truncate("/d", 0), iofs.ErrInvalid)
	wantErr(t, "truncate missing", f.Truncate("/missing", 0), iofs.ErrNotExist)
}

func testMkdir(t *testing.T, f fs.FS) {
	root := lstat(t, f, "/").Nlink
	must(t, f.Mkdir("/a", 0o750))
	must(t, f.Mkdir("/a/b", 0o700))
	must(t, f.Mkdir("/a/b/c", 0o755))
	st := lstat(t, f, "/a")
	if !st.IsDir() || st.Mode.Perm() != 0o750 {
		t.Fatalf("stat /a: %+v", st)
	}
	if countsSubdirs(root) {
		if st.Nlink != 3 {
			t.Fatalf("/a nlink %d, want 3", st.Nlink)
		}
		if n := lstat(t, f, "/").Nlink; n != root+1 {
			t.Fatalf("root nlink %d, want %d", n, root+1)
		}
		if n := lstat(t, f, "/a/b/c").Nlink; n != 2 {
			t.Fatalf("leaf dir nlink %d", n)
		}
	}
	wantErr(t, "mkdir existing", f.Mkdir("/a/b", 0o755), iofs.ErrExist)
	wantErr(t, "mkdir missing parent", f.Mkdir("/x/y", 0o755), iofs.ErrNotExist)
	must(t, f.Mkdir("/s", 0o755|iofs.ModeSticky))
	if m := lstat(t, f, "/s").Mode; m&iofs.ModeSticky == 0 {
		t.Fatalf("sticky bit lost: %v", m)
	}
	ents, err := f.ReadDir("/a")
	must(t, err)
	if len(ents) != 1 || ents[0].Name != "b" || !ents[0].IsDir() {
		t.Fatalf("ReadDir /a: %+v", ents)
	}
}

func testRemove(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/d", 0o755))
	must(t, f.WriteFile("/d/f", randBytes(4, 20000), 0o644))
	must(t, f.SetXattr("/d/f", "user.x", randBytes(5, 200)))
	wantErr(t, "remove non-empty", f.Remove("/d"), fs.ErrNotEmpty)
	must(t, f.Remove("/d/f"))
	wantErr(t, "remove twice", f.Remove("/d/f"), iofs.ErrNotExist)
	before := lstat(t, f, "/").Nlink
	must(t, f.Remove("/d"))
	if n := lstat(t, f, "/").Nlink; countsSubdirs(before) && n != before-1 {
		t.Fatalf("root nlink %d after rmdir, want %d", n, before-1)
	}
	if got := names(t, f, "/"); len(got) != 0 {
		t.Fatalf("left: %v", got)
	}
	wantErr(t, "remove root", f.Remove("/"), iofs.ErrInvalid)
}

func testSymlink(t *testing.T, f fs.FS) {
	long := strings.Repeat("target/", 50)
	must(t, f.Symlink("short", "/s"))
	must(t, f.Symlink(long, "/l"))
	for p, want := range map[string]string{"/s": "short", "/l": long} {
		got, err := f.Readlink(p)
		must(t, err)
		if got != want {
			t.Fatalf("Readlink %s = %q", p, got)
		}
		st := lstat(t, f, p)
		if !st.IsSymlink() || st.Size != int64(len(want)) {
			t.Fatalf("stat %s: %+v", p, st)
		}
	}
	wantErr(t, "symlink exists", f.Symlink("x", "/s"), iofs.ErrExist)
	must(t, f.Remove("/l"))
	must(t, f.Remove("/s"))
}

func testLink(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/d", 0o755))
	must(t, f.WriteFile("/a", []byte("shared"), 0o644))
	must(t, f.Link("/a", "/d/b"))
	if a, b := lstat(t, f, "/a"), lstat(t, f, "/d/b"); a.Ino != b.Ino || a.Nlink != 2 {
		t.Fatalf("link: %+v %+v", a, b)
	}
	must(t, f.WriteFile("/d/b", []byte("changed through b"), 0o644))
	wantContent(t, f, "/a", []byte("changed through b"))
	wantErr(t, "link dir", f.Link("/d", "/e"), fs.ErrIsDir)
	wantErr(t, "link exists", f.Link("/a", "/d/b"), iofs.ErrExist)
	must(t, f.Remove("/a"))
	if st := lstat(t, f, "/d/b"); st.Nlink != 1 {
		t.Fatalf("nlink after unlink: %d", st.Nlink)
	}
	wantContent(t, f, "/d/b", []byte("changed through b"))
}

func testRename(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/a", 0o755))
	must(t, f.Mkdir("/b", 0o755))
	must(t, f.WriteFile("/a/f", []byte("f"), 0o644))
	must(t, f.WriteFile("/b/g", []byte("g"), 0o644))
	must(t, f.Rename("/a/f", "/a/f2"))
	must(t, f.Rename("/a/f2", "/b/g")) // replaces g
	wantContent(t, f, "/b/g", []byte("f"))
	if got := names(t, f, "/a"); len(got) != 0 {
		t.Fatalf("/a: %v", got)
	}
	must(t, f.Mkdir("/a/sub", 0o755))
	must(t, f.WriteFile("/a/sub/x", []byte("x"), 0o644))
	na, nb := lstat(t, f, "/a").Nlink, lstat(t, f, "/b").Nlink
	must(t, f.Rename("/a/sub", "/b/sub"))
	if countsSubdirs(na) && (lstat(t, f, "/a").Nlink != na-1 || lstat(t, f, "/b").Nlink != nb+1) {
		t.Fatal("directory link counts not moved with the directory")
	}
	wantContent(t, f, "/b/sub/x", []byte("x"))
	must(t, f.Mkdir("/b/empty", 0o755))
	must(t, f.Rename("/b/sub", "/b/empty")) // replaces an empty dir
	wantContent(t, f, "/b/empty/x", []byte("x"))
	must(t, f.Rename("/b/empty", "/top"))
	wantContent(t, f, "/top/x", []byte("x"))
	must(t, f.Rename("/top", "/top"))
	must(t, f.Symlink("t", "/a/ln"))
	must(t, f.Rename("/a/ln", "/ln"))
	if got, _ := f.Readlink("/ln"); got != "t" {
		t.Fatalf("renamed symlink: %q", got)
	}
}

func testRenameErrors(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/d", 0o755))
	must(t, f.Mkdir("/d/sub", 0o755))
	must(t, f.Mkdir("/full", 0o755))
	must(t, f.WriteFile("/full/x", nil, 0o644))
	must(t, f.WriteFile("/file", nil, 0o644))
	wantErr(t, "missing source", f.Rename("/nope", "/x"), iofs.ErrNotExist)
	wantErr(t, "into itself", f.Rename("/d", "/d/sub/d"), iofs.ErrInvalid)
	wantErr(t, "dir over non-empty dir", f.Rename("/d", "/full"), fs.ErrNotEmpty)
	wantErr(t, "dir over file", f.Rename("/d", "/file"), fs.ErrNotDir)
	wantErr(t, "file over dir", f.Rename("/file", "/d"), fs.ErrIsDir)
	wantErr(t, "missing target parent", f.Rename("/file", "/nope/x"), iofs.ErrNotExist)
}

func testAttrs(t *testing.T, f fs.FS) {
	must(t, f.WriteFile("/f", nil, 0o644))
	must(t, f.Chmod("/f", 0o4755|iofs.ModeSetuid|iofs.ModeSetgid))
	st := lstat(t, f, "/f")
	if st.Mode&iofs.ModeSetuid == 0 || st.Mode&iofs.ModeSetgid == 0 || st.Mode.Perm() != 0o755 || !st.IsRegular() {
		t.Fatalf("chmod: %v", st.Mode)
	}
	must(t, f.Lchown("/f", 1000, 70000))
	if st := lstat(t, f, "/f"); st.Uid != 1000 || st.Gid != 70000 {
		t.Fatalf("chown: %d:%d", st.Uid, st.Gid)
	}
	wantErr(t, "chown negative", f.Lchown("/f", -1, 0), iofs.ErrInvalid)
	at, mt := time.Unix(1600000000, 0), time.Unix(1500000000, 0)
	must(t, f.Chtimes("/f", at, mt))
	st = lstat(t, f, "/f")
	if !st.Atime.Equal(at) || !st.Mtime.Equal(mt) {
		t.Fatalf("chtimes: %v %v", st.Atime, st.Mtime)
	}
	must(t, f.Symlink("f", "/l"))
	must(t, f.Lchown("/l", 7, 8))
	if st := lstat(t, f, "/l"); st.Uid != 7 || !st.IsSymlink() {
		t.Fatalf("lchown on symlink: %+v", st)
	}
	if st := lstat(t, f, "/f"); st.Uid != 1000 {
		t.Fatal("lchown followed the symlink")
	}
	wantErr(t, "chmod missing", f.Chmod("/missing", 0o644), iofs.ErrNotExist)
}

func testXattrs(t *testing.T, f fs.FS) {
	must(t, f.WriteFile("/f", []byte("x"), 0o644))
	must(t, f.SetXattr("/f", "user.a", []byte("1")))
	must(t, f.SetXattr("/f", "security.selinux", []byte("system_u:object_r:etc_t:s0\x00")))
	must(t, f.SetXattr("/f", "trusted.t", nil))
	must(t, f.SetXattr("/f", "user.a", []byte("replaced")))
	for i := 0; i < 8; i++ {
		must(t, f.SetXattr("/f", "user.many"+string(rune('a'+i)), randBytes(int64(i), 60)))
	}
	xs, err := f.GetXattrs("/f")
	must(t, err)
	if string(xs["user.a"]) != "replaced" || len(xs["trusted.t"]) != 0 || len(xs) != 11 ||
		!bytes.Equal(xs["user.manyc"], randBytes(2, 60)) {
		t.Fatalf("xattrs: %d %q", len(xs), xs["user.a"])
	}
	must(t, f.RemoveXattr("/f", "user.a"))
	wantErr(t, "remove missing xattr", f.RemoveXattr("/f", "user.a"), iofs.ErrNotExist)
	for i := 0; i < 8; i++ {
		must(t, f.RemoveXattr("/f", "user.many"+string(rune('a'+i))))
	}
	xs, err = f.GetXattrs("/f")
	must(t, err)
	if len(xs) != 2 || string(xs["security.selinux"]) != "system_u:object_r:etc_t:s0\x00" {
		t.Fatalf("xattrs after removal: %v", xs)
	}
	must(t, f.Mkdir("/d", 0o755))
	must(t, f.SetXattr("/d", "user.dir", []byte("d")))
	if xs, _ := f.GetXattrs("/d"); string(xs["user.dir"]) != "d" {
		t.Fatalf("dir xattrs: %v", xs)
	}
}

func testXattrsSurvive(t *testing.T, f fs.FS) {
	label := []byte("system_u:object_r:shadow_t:s0\x00")
	must(t, f.Mkdir("/etc", 0o755))
	must(t, f.WriteFile("/etc/shadow", []byte("root:*:"), 0o640))
	must(t, f.SetXattr("/etc/shadow", "security.selinux", label))
	must(t, f.WriteFile("/etc/shadow", []byte("root:!:19000::::::"), 0o600))
	must(t, f.Truncate("/etc/shadow", 4))
	must(t, f.Chmod("/etc/shadow", 0o600))
	must(t, f.Lchown("/etc/shadow", 0, 42))
	must(t, f.Rename("/etc/shadow", "/etc/shadow-"))
	must(t, f.Link("/etc/shadow-", "/etc/shadow"))
	for _, p := range []string{"/etc/shadow", "/etc/shadow-"} {
		xs, err := f.GetXattrs(p)
		must(t, err)
		if !bytes.Equal(xs["security.selinux"], label) {
			t.Fatalf("%s lost its SELinux label: %v", p, xs)
		}
	}
}

func testInvalidPaths(t *testing.T, f fs.FS) {
	for _, p := range []string{"relative", "/a/../b", "/a//b", "/a/", ""} {
		_, err := f.Lstat(p)
		wantErr(t, "lstat "+p, err, iofs.ErrInvalid)
		wantErr(t, "write "+p, f.WriteFile(p, nil, 0o644), iofs.ErrInvalid)
	}
}

func testManyEntries(t *testing.T, f fs.FS) {
	must(t, f.Mkdir("/many", 0o755))
	const n = 600
	for i := 0; i < n; i++ {
		must(t, f.WriteFile("/many/"+strings.Repeat("x", i%40)+"-"+itoa(i), []byte(itoa(i)), 0o644))
	}
	for i := 0; i < n; i += 2 {
		must(t, f.Remove("/many/"+strings.Repeat("x", i%40)+"-"+itoa(i)))
	}
	got := names(t, f, "/many")
	if len(got) != n/2 {
		t.Fatalf("%d entries, want %d", len(got), n/2)
	}
	for i := 1; i < n; i += 2 {
		wantContent(t, f, "/many/"+strings.Repeat("x", i%40)+"-"+itoa(i), []byte(itoa(i)))
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// countsSubdirs reports whether an engine counts a directory's ".." links
// in its parent's link count (ext4, xfs and memfs do; btrfs keeps
// directories at 1), judged from a directory's link count.
func countsSubdirs(nlink uint32) bool { return nlink >= 2 }
