package ext4

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// checkImage runs e2fsck -fn and compares the kernel's view with want.
func checkImage(t *testing.T, img string, args []string, want map[string]string) {
	t.Helper()
	testtool.Fsck(t, "ext4", img)
	if !kernelCanMount(args) {
		return
	}
	mnt := testtool.Mount(t, "ext4", img, 0, 0)
	if d := conformance.Diff(testtool.Snapshot(t, mnt), want); d != "" {
		t.Fatalf("kernel mount vs expected:\n%s", d)
	}
}

// TestWriteOpsEveryGeometry applies every kind of write on each geometry
// and checks the result with e2fsck and the kernel.
func TestWriteOpsEveryGeometry(t *testing.T) {
	for _, g := range geometries {
		t.Run(g.name, func(t *testing.T) {
			img, _ := mkfsSample(t, g.size, g.args...)
			f := openFS(t, img, false)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(f.WriteFile("/etc/hostname", []byte("new-name\n"), 0o644))
			must(f.WriteFile("/etc/new", bytes.Repeat([]byte("abc"), 5000), 0o600))
			must(f.Mkdir("/srv", 0o755))
			must(f.Mkdir("/srv/data", 0o750))
			must(f.WriteFile("/srv/data/x", []byte("x"), 0o644))
			must(f.Symlink("short", "/srv/fast"))
			must(f.Symlink(strings.Repeat("long/", 30), "/srv/slow"))
			must(f.Link("/etc/new", "/srv/hard"))
			must(f.Remove("/etc/machine-id"))
			must(f.Remove("/var/log"))
			must(f.Rename("/etc/motd", "/srv/motd"))
			must(f.Rename("/srv/data", "/usr/data"))
			must(f.Truncate("/srv/motd", 5000))
			must(f.Chmod("/etc/hostname", 0o600))
			must(f.Lchown("/etc/hostname", 1000, 1001))
			must(f.SetXattr("/etc/hostname", "user.added", []byte("v")))
			must(f.SetXattr("/srv/motd", "user.big", bytes.Repeat([]byte("z"), 300)))
			must(f.RemoveXattr("/etc/hostname", "user.note"))
			for i := 0; i < 300; i++ {
				must(f.WriteFile(fmt.Sprintf("/usr/bin/tool-%03d-with-a-longer-name", i), []byte{byte(i)}, 0o755))
			}
			for i := 0; i < 300; i += 3 {
				must(f.Remove(fmt.Sprintf("/usr/bin/tool-%03d-with-a-longer-name", i)))
			}
			want := conformance.Snapshot(t, f)
			must(f.Close())
			checkImage(t, img, g.args, want)
			if !strings.Contains(g.name, "nodirindex") && !strings.Contains(g.name, "nofiletype") && !strings.Contains(g.name, "64k") {
				// The directory grew past one block: the engine indexed it.
				if out := testtool.Debugfs(t, img, "htree /usr/bin"); !strings.Contains(out, "Root node dump") {
					t.Fatalf("/usr/bin was not hash-indexed:\n%.300s", out)
				}
			}
		})
	}
}

var _ fs.FS = (*FS)(nil)

func snapshotOf(t *testing.T, f fs.FS) map[string]string { return conformance.Snapshot(t, f) }
