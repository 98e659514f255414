package testtool

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MkfsExt4 makes a sparse ext4 image file of the given size (e.g. "64M")
// holding tree, with mkfs.ext4 -d and Debian's defaults plus extra mkfs
// arguments (e.g. "-b", "1024", "-O", "^metadata_csum"). It returns the path.
func MkfsExt4(t testing.TB, tree Tree, size string, extra ...string) string {
	t.Helper()
	Need(t, "mkfs.ext4")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	tree.WriteDir(t, src)
	img := filepath.Join(dir, "ext4.img")
	args := append([]string{"-q", "-F", "-E", "root_owner=0:0", "-d", src}, extra...)
	args = append(args, img, size)
	Run(t, "mkfs.ext4", args...)
	return img
}

// Fsck runs the filesystem's own checker read-only on an image file
// (fstype "ext4", "xfs" or "btrfs") and fails the test with its output
// unless it reports a clean filesystem.
func Fsck(t testing.TB, fstype, img string) {
	t.Helper()
	var name string
	var args []string
	switch fstype {
	case "ext2", "ext3", "ext4":
		name, args = "e2fsck", []string{"-fn", img}
	case "xfs":
		name, args = "xfs_repair", []string{"-n", "-f", img}
	case "btrfs":
		name, args = "btrfs", []string{"check", "--readonly", img}
	default:
		t.Fatalf("Fsck: unknown fstype %q", fstype)
	}
	Need(t, name)
	out, err := RunErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s reports problems: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// Debugfs runs one debugfs request (-R) against an ext4 image read-only and
// returns its output.
func Debugfs(t testing.TB, img, request string) string {
	t.Helper()
	Need(t, "debugfs")
	return Run(t, "debugfs", "-R", request, img)
}

// WantDebugfs fails unless debugfs's answer to request equals want.
func WantDebugfs(t testing.TB, img, request, want string) {
	t.Helper()
	out, err := RunErr("debugfs", "-R", request, img)
	if err != nil {
		t.Fatalf("debugfs -R %q: %v\n%s", request, err, out)
	}
	// debugfs prints its banner on stderr; keep the lines after it.
	lines := strings.SplitN(out, "\n", 2)
	if len(lines) == 2 && strings.HasPrefix(lines[0], "debugfs ") {
		out = lines[1]
	}
	if out != want {
		t.Fatalf("debugfs -R %q:\n got %q\nwant %q", request, out, want)
	}
}
