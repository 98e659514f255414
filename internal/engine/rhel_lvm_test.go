package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2/lvmtest"
)

// TestRunRHELInstallerLayout is the layout the RHEL/Rocky/Alma installer
// makes: the root XFS on an LVM2 logical volume (/dev/mapper/rl-root in
// fstab), here in two segments because the LV was extended after another
// LV was made. The job must find the root through the LVM metadata, write
// through the segment mapping, and export only live blocks: xfs_repair and
// a kernel mount of the LV's bytes check the result, and no secret may
// survive anywhere in the output.
func TestRunRHELInstallerLayout(t *testing.T) {
	testtool.Need(t, "mkfs.xfs", "xfs_repair", "qemu-img")
	d := lvmtest.New(t, 640, 620)
	d.LVM("vgcreate", "rl", d.Loops[0])
	d.LVM("lvcreate", "-an", "-Zn", "-n", "root", "-L", "400M", "rl")
	d.LVM("lvcreate", "-an", "-Zn", "-n", "home", "-L", "16M", "rl")
	d.LVM("lvextend", "-L", "+40M", "rl/root")
	pv := d.Report("pvs", "pe_start,vg_extent_size")[0]
	var peStart, ext, size int64
	fmt.Sscan(pv["pe_start"], &peStart)
	fmt.Sscan(pv["vg_extent_size"], &ext)
	var ranges [][2]int64
	for _, r := range d.Report("lvs", "lv_name,lv_size,seg_pe_ranges") {
		if r["lv_name"] == "root" {
			fmt.Sscan(r["lv_size"], &size)
			for _, e := range d.PERanges(r["seg_pe_ranges"]) {
				ranges = append(ranges, [2]int64{d.PVOffs[0] + peStart + e.First*ext, (e.Last - e.First + 1) * ext})
			}
		}
	}
	d.Detach()
	if len(ranges) != 2 {
		t.Fatalf("root LV segments %v, want 2", ranges)
	}

	const secret = "RhelLvmSecret42"
	tree := guestgen.RockyTree(secret)
	tree["etc/fstab"] = guestgen.Text("/dev/mapper/rl-root / xfs defaults 0 0\n")
	img, err := guestgen.XFSImage(context.Background(), t.TempDir(), "root", tree, size, "6f3c1d2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f")
	if err != nil {
		t.Fatal(err)
	}
	lvmtest.Copy(t, d.Path, img, ranges)
	if found := testtool.FindInFile(t, d.Path, secret); len(found) != 1 {
		t.Fatal("the secret must be in the input disk")
	}

	out := filepath.Join(t.TempDir(), "rhel-golden.qcow2")
	res, err := Run(context.Background(), Job{Input: d.Path, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Guest.Distro != "rocky" || len(res.Guest.Filesystems) == 0 || res.Guest.Filesystems[0].Type != "xfs" ||
		!strings.Contains(res.Guest.Filesystems[0].Volume, "rl/root") {
		t.Fatalf("guest %+v", res.Guest)
	}
	raw := toRaw(t, out, "qcow2")
	// (root's hash in /etc/shadow is kept: a default run sets no password.)
	if found := testtool.FindInFile(t, raw, secret); len(found) > 0 {
		t.Errorf("deleted data survives in the output: %q", found)
	}
	lv := lvmtest.Extract(t, raw, ranges)
	testtool.Fsck(t, "xfs", lv)
	mnt := testtool.Mount(t, "xfs", lv, 0, 0)
	for _, p := range []string{"root/.bash_history", "var/log/messages", "etc/ssh/ssh_host_rsa_key", "var/lib/cloud/instances",
		"etc/NetworkManager/system-connections/eth0.nmconnection", "var/lib/systemd/credential.secret"} {
		if _, err := os.Lstat(filepath.Join(mnt, p)); err == nil {
			t.Errorf("%s survives", p)
		}
	}
	if b, err := os.ReadFile(filepath.Join(mnt, "etc/machine-id")); err != nil || len(b) != 0 {
		t.Errorf("machine-id %q, %v: want empty", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(mnt, "etc/passwd")); err != nil || !strings.Contains(string(b), "rocky:x:1000") {
		t.Errorf("passwd %q, %v", b, err)
	}
}
