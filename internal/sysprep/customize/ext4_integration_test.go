package customize

import (
	"os"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// fileImage is a host file as a writable image.Image.
type fileImage struct {
	f    *os.File
	size int64
}

func (i *fileImage) ReadAt(p []byte, off int64) (int, error)  { return i.f.ReadAt(p, off) }
func (i *fileImage) WriteAt(p []byte, off int64) (int, error) { return i.f.WriteAt(p, off) }
func (i *fileImage) Size() int64                              { return i.size }
func (i *fileImage) Close() error                             { return i.f.Close() }

// TestCustomizeOnExt4 runs a realistic step list through the real ext4
// engine, then checks the image with e2fsck, reads it back with debugfs
// and verifies the password hash with the system's libcrypt.
func TestCustomizeOnExt4(t *testing.T) {
	testtool.Need(t, "mkfs.ext4", "e2fsck", "debugfs", "perl")
	tr := accountTree()
	tr["etc/hostname"] = "template\n"
	tr["etc/hosts"] = "127.0.0.1 localhost\n127.0.1.1 template\n"
	tr["etc/skel/.profile"] = "# profile\n"
	tr["etc/sudoers.d/README"] = "x"
	tr["etc/systemd/system/"] = ""
	tr["lib/systemd/system/"] = ""
	tr["usr/share/zoneinfo/Europe/Berlin"] = "TZif2"
	tr["etc/login.defs"] = "UID_MIN 1000\nUID_MAX 60000\nENCRYPT_METHOD YESCRYPT\n"
	img := testtool.MkfsExt4(t, tr, "32M")

	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	vol := &fileImage{f: f, size: st.Size()}
	defer vol.Close()
	root, err := ext4.Open(vol, fs.OpenOptions{Name: "test.img"})
	if err != nil {
		t.Fatal(err)
	}
	err = Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{
		{"hostname", "built.example.com"},
		{"timezone", "Europe/Berlin"},
		{"add-user", "deploy:sudo:groups=sudo:password:Dep:loy1"},
		{"ssh-inject", "deploy:string:" + testKey},
		{"firstboot-command", "echo first boot"},
		{"append-line", "/etc/hosts:10.0.0.9 db"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Close(); err != nil {
		t.Fatal(err)
	}
	testtool.Fsck(t, "ext4", img)

	testtool.WantDebugfs(t, img, "cat /etc/hostname", "built.example.com\n")
	testtool.WantDebugfs(t, img, "cat /etc/hosts", "127.0.0.1 localhost\n127.0.1.1 built\n10.0.0.9 db\n")
	testtool.WantDebugfs(t, img, "cat /home/deploy/.ssh/authorized_keys", testKey+"\n")
	testtool.WantDebugfs(t, img, "cat /etc/sudoers.d/deploy", "deploy ALL=(ALL) NOPASSWD:ALL\n")
	shadow := testtool.Debugfs(t, img, "cat /etc/shadow")
	var hash string
	for _, l := range strings.Split(shadow, "\n") {
		if f := strings.Split(l, ":"); len(f) > 1 && f[0] == "deploy" {
			hash = f[1]
		}
	}
	if !strings.HasPrefix(hash, "$y$") {
		t.Fatalf("deploy's hash %q, want yescrypt (login.defs)\n%s", hash, shadow)
	}
	libcryptCheck(t, "Dep:loy1", hash)
	stat := testtool.Debugfs(t, img, "stat /home/deploy/.ssh")
	if !strings.Contains(stat, "User:  1001") || !strings.Contains(stat, "Mode:  0700") {
		t.Fatalf("~/.ssh: %s", stat)
	}
	link := testtool.Debugfs(t, img, "stat /etc/localtime")
	if !strings.Contains(link, `Fast link dest: "/usr/share/zoneinfo/Europe/Berlin"`) {
		t.Fatalf("/etc/localtime: %s", link)
	}
}
