package guestgen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestBuildRockyXFS(t *testing.T) {
	testtool.Need(t, "mkfs.xfs", "xfs_repair", "sgdisk", "cp")
	testtool.NeedRoot(t)
	d, err := Build(context.Background(), Options{Dir: t.TempDir(), Distro: "rocky", FSType: "xfs", Format: "raw", Secret: "S3cretRocky"})
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	if root.Type != "xfs" || filepath.Base(d.Path) != "rocky.img" {
		t.Fatalf("root %+v, path %s", root, d.Path)
	}
	testtool.Fsck(t, "xfs", testtool.ExtractRange(t, d.Path, root.Off, root.Size))
	mnt := testtool.Mount(t, "xfs", d.Path, root.Off, root.Size)
	osr, err := os.ReadFile(filepath.Join(mnt, "usr/lib/os-release"))
	if err != nil || !strings.Contains(string(osr), `ID="rocky"`) {
		t.Fatalf("os-release %q, %v", osr, err)
	}
	fstab, _ := os.ReadFile(filepath.Join(mnt, "etc/fstab"))
	if !strings.Contains(string(fstab), "UUID="+root.UUID+" / xfs ") {
		t.Fatalf("fstab %q does not mount the root XFS by UUID %s", fstab, root.UUID)
	}
	snap := testtool.Snapshot(t, mnt)
	if got := snap["home/rocky/.ssh"]; !strings.HasPrefix(got, "d 0700 1000:1000") {
		t.Errorf("home/rocky/.ssh = %q: owners and modes must survive the copy", got)
	}
	if got := snap["etc/shadow"]; !strings.HasPrefix(got, "f 0000 0:0") {
		t.Errorf("etc/shadow = %q", got)
	}
	if got := testtool.FindInFile(t, d.Path, d.Secret); len(got) != 1 {
		t.Fatalf("the secret must be in the input image")
	}
}
