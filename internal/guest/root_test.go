package guest

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"syscall"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// testRoot is a root memfs with a /boot memfs mounted on it.
func testRoot(t *testing.T) (*Root, *memfs.FS, *memfs.FS) {
	t.Helper()
	rootFS := testtool.MemFS(t, testtool.Tree{
		"etc/hostname":           "h\n",
		"etc/localtime":          "-> /usr/share/zoneinfo/UTC",
		"usr/share/zoneinfo/UTC": "tz",
		"usr/bin/sh":             "sh",
		"bin":                    "-> usr/bin",
		"escape":                 "-> ../../../../etc/hostname",
		"abs-escape":             "-> /../../etc",
		"loop1":                  "-> loop2",
		"loop2":                  "-> loop1",
		"self":                   "-> self",
		"dangling":               "-> /etc/newfile",
		"bootlink":               "-> /boot/grub",
		"boot/hidden":            "under the mount",
	})
	bootFS := testtool.MemFS(t, testtool.Tree{
		"grub/grub.cfg": "cfg",
		"vmlinuz":       "k",
		"up":            "-> ../etc/hostname",
		"abs":           "-> /etc/hostname",
	})
	r := NewRoot(rootFS)
	if err := r.Mount("/boot", bootFS); err != nil {
		t.Fatal(err)
	}
	return r, rootFS, bootFS
}

func readString(t *testing.T, f fs.FS, p string) (string, error) {
	t.Helper()
	b, err := fs.ReadFile(f, p)
	return string(b), err
}

func TestRootResolveTable(t *testing.T) {
	r, _, _ := testRoot(t)
	for _, c := range []struct {
		path    string
		want    string // content read through Open
		wantErr error
	}{
		{"/etc/hostname", "h\n", nil},
		{"/etc/localtime", "tz", nil},                 // absolute symlink
		{"/bin/sh", "sh", nil},                        // relative intermediate symlink
		{"/escape", "h\n", nil},                       // ".." clamps at the guest root
		{"/abs-escape/hostname", "h\n", nil},          // "/../.." is "/"
		{"/boot/grub/grub.cfg", "cfg", nil},           // crossing a mount point
		{"/bootlink/grub.cfg", "cfg", nil},            // symlink into a mount
		{"/boot/up", "h\n", nil},                      // ".." out of a mount
		{"/boot/abs", "h\n", nil},                     // absolute target from inside a mount
		{"/boot/hidden", "", iofs.ErrNotExist},        // hidden by the mount
		{"/loop1", "", fs.ErrLoop},                    // a two-link loop
		{"/self/x", "", fs.ErrLoop},                   // a self loop, intermediate
		{"/etc/hostname/x", "", fs.ErrNotDir},         // through a file
		{"/missing/x", "", iofs.ErrNotExist},          // missing intermediate
		{"/dangling", "", iofs.ErrNotExist},           // dangling final link
		{"etc/hostname", "", iofs.ErrInvalid},         // relative
		{"/etc/../etc/hostname", "", iofs.ErrInvalid}, // not clean
		{"/etc/", "", iofs.ErrInvalid},                // not clean
	} {
		got, err := readString(t, r, c.path)
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("Open(%q) = %q, %v; want %v", c.path, got, err, c.wantErr)
			}
			var pe *iofs.PathError
			if err != nil && (!errors.As(err, &pe) || pe.Path != c.path) {
				t.Errorf("Open(%q): error %v does not name the guest path", c.path, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Open(%q) = %q, %v; want %q", c.path, got, err, c.want)
		}
	}
}

func TestRootLastComponent(t *testing.T) {
	r, rootFS, _ := testRoot(t)
	// Lstat and Readlink do not follow the last component; Stat does.
	if st, err := r.Lstat("/etc/localtime"); err != nil || !st.IsSymlink() {
		t.Errorf("Lstat(/etc/localtime) = %v, %v; want a symlink", st.Mode, err)
	}
	if st, err := r.Stat("/etc/localtime"); err != nil || !st.IsRegular() || st.Size != 2 {
		t.Errorf("Stat(/etc/localtime) = %+v, %v; want the 2-byte file", st, err)
	}
	if tgt, err := r.Readlink("/etc/localtime"); err != nil || tgt != "/usr/share/zoneinfo/UTC" {
		t.Errorf("Readlink = %q, %v", tgt, err)
	}
	if st, err := r.Lstat("/loop1"); err != nil || !st.IsSymlink() {
		t.Errorf("Lstat(/loop1) = %v, %v", st.Mode, err)
	}
	if _, err := r.Stat("/loop1"); !errors.Is(err, fs.ErrLoop) {
		t.Errorf("Stat(/loop1) = %v, want ErrLoop", err)
	}
	if g, err := r.Resolve("/bin/sh"); err != nil || g != "/usr/bin/sh" {
		t.Errorf("Resolve(/bin/sh) = %q, %v", g, err)
	}
	if g, err := r.Resolve("/dangling"); err != nil || g != "/etc/newfile" {
		t.Errorf("Resolve(/dangling) = %q, %v", g, err)
	}
	// ReadDir follows.
	ents, err := r.ReadDir("/bin")
	if err != nil || len(ents) != 1 || ents[0].Name != "sh" {
		t.Errorf("ReadDir(/bin) = %v, %v", ents, err)
	}
	// Writing through a symlink writes its target; a dangling one creates it.
	if err := r.WriteFile("/etc/localtime", []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := readString(t, rootFS, "/usr/share/zoneinfo/UTC"); got != "new" {
		t.Errorf("target holds %q after writing through the link", got)
	}
	if st, _ := rootFS.Lstat("/etc/localtime"); !st.IsSymlink() {
		t.Errorf("the link itself was replaced")
	}
	if err := r.WriteFile("/dangling", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := readString(t, rootFS, "/etc/newfile"); got != "x" {
		t.Errorf("/etc/newfile = %q", got)
	}
	// Chmod follows; Lchown does not.
	if err := r.Chmod("/etc/localtime", 0o600); err != nil {
		t.Fatal(err)
	}
	if st, _ := rootFS.Lstat("/usr/share/zoneinfo/UTC"); st.Mode.Perm() != 0o600 {
		t.Errorf("chmod through the link: target mode %v", st.Mode)
	}
	if err := r.Lchown("/etc/localtime", 5, 6); err != nil {
		t.Fatal(err)
	}
	if st, _ := rootFS.Lstat("/etc/localtime"); st.Uid != 5 || st.Gid != 6 {
		t.Errorf("lchown: link owner %d:%d", st.Uid, st.Gid)
	}
	if st, _ := rootFS.Lstat("/usr/share/zoneinfo/UTC"); st.Uid != 0 {
		t.Errorf("lchown changed the target")
	}
	// Remove removes the link, not what it points to.
	if err := r.Remove("/bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := rootFS.Lstat("/usr/bin/sh"); err != nil {
		t.Errorf("removing the /bin link touched /usr/bin: %v", err)
	}
}

func TestRootMountBoundaries(t *testing.T) {
	r, rootFS, bootFS := testRoot(t)
	err := r.Rename("/boot/vmlinuz", "/vmlinuz")
	if !errors.Is(err, ErrCrossDevice) || !errors.Is(err, syscall.EXDEV) {
		t.Errorf("cross-mount Rename = %v, want ErrCrossDevice (EXDEV)", err)
	}
	if err := r.Link("/boot/vmlinuz", "/vmlinuz"); !errors.Is(err, ErrCrossDevice) {
		t.Errorf("cross-mount Link = %v", err)
	}
	if err := r.Rename("/boot/vmlinuz", "/boot/vmlinuz.old"); err != nil {
		t.Fatal(err)
	}
	if got, _ := readString(t, bootFS, "/vmlinuz.old"); got != "k" {
		t.Errorf("rename inside the mount: %q", got)
	}
	// Through a symlink into the mount, the same filesystem: allowed.
	if err := r.Rename("/bootlink/grub.cfg", "/boot/grub.cfg"); err != nil {
		t.Errorf("rename within /boot via a symlinked parent: %v", err)
	}
	if err := r.Remove("/boot"); !errors.Is(err, ErrMountPoint) {
		t.Errorf("Remove(/boot) = %v, want ErrMountPoint", err)
	}
	if err := r.Mkdir("/boot", 0o755); !errors.Is(err, iofs.ErrExist) {
		t.Errorf("Mkdir(/boot) = %v, want ErrExist", err)
	}
	// Creating under the mount lands in the boot filesystem.
	if err := r.WriteFile("/boot/new", []byte("n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bootFS.Lstat("/new"); err != nil {
		t.Errorf("/boot/new not on the boot fs: %v", err)
	}
	if _, err := rootFS.Lstat("/boot/new"); err == nil {
		t.Errorf("/boot/new leaked onto the root fs")
	}
	if st, err := r.Lstat("/boot"); err != nil || !st.IsDir() {
		t.Errorf("Lstat(/boot) = %v, %v", st, err)
	}
	if rs, err := r.FreeRanges(); rs != nil || err != nil {
		t.Errorf("Root.FreeRanges = %v, %v; want nil", rs, err)
	}
}

func TestRootHopLimit(t *testing.T) {
	tree := testtool.Tree{"target": "ok"}
	for i := range MaxSymlinkHops {
		tree[fmt.Sprintf("l%d", i)] = fmt.Sprintf("-> l%d", i+1)
	}
	tree[fmt.Sprintf("l%d", MaxSymlinkHops)] = "-> target"
	r := NewRoot(testtool.MemFS(t, tree))
	// From l1, l1..l40 are 40 links: the limit. From l0 they are 41.
	if got, err := readString(t, r, "/l1"); err != nil || got != "ok" {
		t.Errorf("40 hops: %q, %v", got, err)
	}
	if _, err := readString(t, r, "/l0"); !errors.Is(err, fs.ErrLoop) {
		t.Errorf("41 hops: %v, want ErrLoop", err)
	}
}

func TestRootCreateHook(t *testing.T) {
	r, _, _ := testRoot(t)
	var got []string
	r.onCreate = func(g string, mode iofs.FileMode) error {
		got = append(got, fmt.Sprintf("%s %v", g, mode))
		return nil
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.WriteFile("/bin/new", []byte("x"), 0o755))       // via the /bin link
	must(r.WriteFile("/etc/hostname", []byte("y"), 0o644))  // replaces: no hook
	must(r.Mkdir("/boot/d", 0o700))                         // in the mount
	must(r.Symlink("/etc/hostname", "/etc/hn"))             // symlink
	must(r.WriteFile("/etc/localtime", []byte("z"), 0o644)) // existing target: no hook
	want := []string{"/usr/bin/new -rwxr-xr-x", "/boot/d drwx------", "/etc/hn Lrwxrwxrwx"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hook calls = %q, want %q", got, want)
	}
	if !r.created.Load() {
		t.Error("created not recorded")
	}
}
