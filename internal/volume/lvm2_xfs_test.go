package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	_ "github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/xfs" // registers the engine Detect finds
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2/lvmtest"
)

// TestListLVM2XFS: the RHEL/Rocky layout, XFS on an LV in two segments
// (root extended after swap was created), read through the xfs engine.
func TestListLVM2XFS(t *testing.T) {
	testtool.Need(t, "mkfs.xfs")
	d := lvmtest.New(t, 400, 380)
	d.LVM("vgcreate", "rl", d.Loops[0])
	d.LVM("lvcreate", "-an", "-Zn", "-n", "root", "-L", "300M", "rl")
	d.LVM("lvcreate", "-an", "-Zn", "-n", "swap", "-L", "8M", "rl")
	d.LVM("lvextend", "-L", "+20M", "rl/root")
	pv := d.Report("pvs", "pe_start,vg_extent_size")[0]
	var peStart, ext int64
	fmt.Sscan(pv["pe_start"], &peStart)
	fmt.Sscan(pv["vg_extent_size"], &ext)
	var ranges [][2]int64
	var size int64
	for _, r := range d.Report("lvs", "lv_name,lv_size,seg_pe_ranges") {
		if r["lv_name"] != "root" {
			continue
		}
		fmt.Sscan(r["lv_size"], &size)
		for _, e := range d.PERanges(r["seg_pe_ranges"]) {
			ranges = append(ranges, [2]int64{d.PVOffs[0] + peStart + e.First*ext, (e.Last - e.First + 1) * ext})
		}
	}
	d.Detach()
	if len(ranges) != 2 {
		t.Fatalf("root ranges %v, want 2 segments", ranges)
	}
	dir := t.TempDir()
	hostname := filepath.Join(dir, "hostname")
	proto := filepath.Join(dir, "proto")
	img := filepath.Join(dir, "xfs.img")
	if err := os.WriteFile(hostname, []byte("rocky-on-lvm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(proto, []byte("boot\n0 0\nd--755 0 0\netc d--755 0 0\nhostname ---644 0 0 "+hostname+"\n$\n$\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "mkfs.xfs", "-q", "-p", proto, img)
	lvmtest.Copy(t, d.Path, img, ranges)

	vols, err := List(openFile(t, d.Path), "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	root := lvByName(vols, "root")
	if root == nil || root.Offset != -1 || len(root.Segments) != 2 || root.Size != size {
		t.Fatalf("root volume = %+v", root)
	}
	e, err := fs.Detect(root.Image, root.Size)
	if err != nil || e.Name() != "xfs" {
		t.Fatalf("detect: %v", err)
	}
	x, err := e.Open(root.Image, fs.OpenOptions{Name: root.Name, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	got, err := fs.ReadFile(x, "/etc/hostname")
	if err != nil || string(got) != "rocky-on-lvm\n" {
		t.Errorf("/etc/hostname = %q, %v", got, err)
	}
}
