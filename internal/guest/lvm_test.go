package guest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2/lvmtest"
)

func TestMapperName(t *testing.T) {
	for _, c := range []struct{ vg, lv, dm string }{
		{"vg0", "root", "vg0-root"},
		{"ubuntu-vg", "ubuntu-lv", "ubuntu--vg-ubuntu--lv"},
		{"a--b", "c", "a----b-c"},
		{"rl", "my-lv", "rl-my--lv"},
	} {
		if got := mapperName(c.vg, c.lv); got != c.dm {
			t.Errorf("mapperName(%q, %q) = %q, want %q", c.vg, c.lv, got, c.dm)
		}
		vg, lv, ok := splitMapperName(c.dm)
		if !ok || vg != c.vg || lv != c.lv {
			t.Errorf("splitMapperName(%q) = %q, %q, %v", c.dm, vg, lv, ok)
		}
	}
	for _, bad := range []string{"novg", "-lv", "vg-", "vg--lv"} {
		if vg, lv, ok := splitMapperName(bad); ok {
			t.Errorf("splitMapperName(%q) = %q, %q", bad, vg, lv)
		}
	}
	v := volumeID{vol: volume.Volume{Table: volume.TableLVM2, Index: -1, VG: "ubuntu-vg", LV: "ubuntu-lv",
		VGUUID: "Gw7bkk-SQQj-YZ0y-BUCq-pIYe-L5fR-jLxEXG", LVUUID: "tr2u6x-zVKW-1HYl-y4t8-uzuQ-ient-OjBN4c"}, uuid: "0f0e0d0c-0000-4000-8000-000000000001"}
	for spec, want := range map[string]bool{
		"/dev/mapper/ubuntu--vg-ubuntu--lv":             true,
		"/dev/ubuntu-vg/ubuntu-lv":                      true,
		"/dev/disk/by-id/dm-name-ubuntu--vg-ubuntu--lv": true,
		"/dev/disk/by-id/dm-uuid-LVM-Gw7bkkSQQjYZ0yBUCqpIYeL5fRjLxEXGtr2u6xzVKW1HYly4t8uzuQientOjBN4c": true,
		"UUID=0f0e0d0c-0000-4000-8000-000000000001":                                                    true,
		"/dev/mapper/ubuntu-vg-ubuntu-lv":                                                              false,
		"/dev/ubuntu-vg/other":                                                                         false,
		"/dev/disk/by-id/dm-uuid-LVM-Gw7bkkSQQjYZ0yBUCqpIYeL5fRjLxEXGtr2u6xzVKW1HYly4t8uzuQientOjBN4d": false,
		"/dev/sda":                     false,
		"/dev/sda99999999999999999999": false,
	} {
		if got := v.matches(spec); got != want {
			t.Errorf("matches(%q) = %v, want %v", spec, got, want)
		}
	}
}

// TestOpenRootOnLVM: a Debian-like root on a two-segment LV, /home on an
// LV by /dev/vg0/home and /srv by dm-uuid; Open writable, write, Close,
// then e2fsck each LV's bytes and mount /home with the kernel.
func TestOpenRootOnLVM(t *testing.T) {
	rootTree := testtool.Tree{
		"etc/os-release": "ID=debian\nVERSION_ID=12\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n",
		"etc/hostname":   "old\n",
		"home/":          "",
		"srv/":           "",
	}
	f := lvmtest.StandardVG(t, map[string]testtool.Tree{
		"home":  {"user/notes": "kept\n"},
		"my-lv": {"www/index.html": "hi\n"},
	})
	dmUUID := "/dev/disk/by-id/dm-uuid-LVM-" + strings.ReplaceAll(f.VGUUID, "-", "") + strings.ReplaceAll(f.LVs["my-lv"].UUID, "-", "")
	fstab := "/dev/mapper/vg0-root / ext4 errors=remount-ro 0 1\n/dev/vg0/home /home ext4 defaults 0 2\n" + dmUUID + " /srv ext4 defaults 0 2\n"
	// The root's fstab needs the UUIDs lvm2 chose: make root's ext4 now.
	rootTree["etc/fstab"] = fstab
	img := testtool.MkfsExt4(t, rootTree, "53248k")
	lvmtest.Copy(t, f.Path, img, f.LVs["root"].Ranges)

	m, err := Open(context.Background(), openFile(t, f.Path), Options{Name: "disk.img"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Guest.Distro != "debian" || m.Guest.Major != 12 {
		t.Errorf("guest = %+v", m.Guest)
	}
	points := map[string]string{}
	for _, fs := range m.Filesystems {
		points[fs.Volume.Name] = fs.Mountpoint
		if fs.ReadOnly {
			t.Errorf("%s is read-only", fs.Volume.Name)
		}
	}
	if points["disk.img LV vg0/root"] != "/" || points["disk.img LV vg0/home"] != "/home" || points["disk.img LV vg0/my-lv"] != "/srv" {
		t.Fatalf("mount points = %v", points)
	}
	big := strings.Repeat("a 7 MiB file in the two-segment root LV\n", 180000)
	for p, data := range map[string]string{"/etc/hostname": "new\n", "/home/user/added": "on home\n", "/srv/www/new": "srv\n", "/big": big} {
		if err := m.Root.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatalf("write %s: %v", p, err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, lv := range f.LVs {
		testtool.Fsck(t, "ext4", lvmtest.Extract(t, f.Path, lv.Ranges))
	}
	home := f.LVs["home"]
	mnt := testtool.Mount(t, "ext4", f.Path, home.Ranges[0][0], home.Ranges[0][1])
	snap := testtool.Snapshot(t, mnt)
	if !strings.Contains(snap["user/added"], " 8 ") || snap["user/notes"] == "" {
		t.Errorf("kernel view of /home: %v", snap)
	}
	rootImg := lvmtest.Extract(t, f.Path, f.LVs["root"].Ranges)
	testtool.WantDebugfs(t, rootImg, "cat /etc/hostname", "new\n")
	if got := testtool.Debugfs(t, rootImg, "cat /big"); !strings.HasSuffix(got, big) || len(got) > len(big)+100 {
		t.Errorf("/big read back by debugfs: %d bytes, want %d", len(got), len(big))
	}

	// Free ranges: disk-absolute, never the PV label/metadata area,
	// including the unallocated extents.
	free, err := m.FreeRanges()
	if err != nil {
		t.Fatal(err)
	}
	pvOff := f.PVOffs[0]
	meta := image.Range{Off: pvOff, Len: f.PEStart}
	var inPV int64
	for _, r := range free {
		if r.Off < meta.End() && r.End() > meta.Off {
			t.Errorf("free range %+v overlaps the PV metadata %+v", r, meta)
		}
		if r.Off >= pvOff+f.PEStart && r.End() <= pvOff+f.PEStart+f.PECount*f.ExtentSize {
			inPV += r.Len
		}
	}
	if inPV < f.FreePE*f.ExtentSize {
		t.Errorf("free bytes in the PV data area %d < the %d unallocated", inPV, f.FreePE*f.ExtentSize)
	}
	// Every LV-relative free range of root maps into root's segments.
	rootVol := m.Filesystems[0].Volume
	rs, _ := m.Filesystems[0].FS.FreeRanges()
	for _, r := range rs {
		drs, err := rootVol.DiskRanges(r)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, d := range drs {
			n += d.Len
			inside := false
			for _, s := range f.LVs["root"].Ranges {
				inside = inside || d.Off >= s[0] && d.End() <= s[0]+s[1]
			}
			if !inside {
				t.Errorf("root free %+v -> %+v outside root's segments", r, d)
			}
		}
		if n != r.Len {
			t.Errorf("root free %+v maps to %d bytes", r, n)
		}
	}
}

// TestOpenLVMRefusals: fstab naming a VG with a missing PV fails with the
// VG's refusal, not a generic "no volume".
func TestOpenLVMRefusals(t *testing.T) {
	d := lvmtest.New(t, 64, 16, 16)
	d.LVM("vgcreate", "vgx", d.Loops[0], d.Loops[1])
	d.LVM("lvcreate", "-an", "-Zn", "-n", "data", "-L", "20M", "vgx")
	d.Detach()
	img := openFile(t, d.Path)
	if _, err := img.WriteAt(make([]byte, 1<<20), d.PVOffs[1]); err != nil {
		t.Fatal(err)
	}
	root := testtool.MkfsExt4(t, testtool.Tree{"etc/os-release": "ID=debian\n", "etc/fstab": "/dev/mapper/vgx-data /data ext4 defaults 0 2\n", "data/": ""}, "4M")
	lvmtest.Copy(t, d.Path, root, [][2]int64{{1 << 20, 4 << 20}})
	_, err := Open(context.Background(), img, Options{Name: "disk.img", ReadOnly: true})
	if !errors.Is(err, ErrFstab) || !errors.Is(err, volume.ErrUnsupported) || !strings.Contains(err.Error(), "VG vgx: PV") || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("err = %v", err)
	}
}

// TestLVMIssue: an fstab spec naming a refused LV (here a thin LV) gets
// that refusal; other specs get none.
func TestLVMIssue(t *testing.T) {
	thin := errors.New("LVM2 LV vg-0/thin-1: segment 1 uses thin provisioning (thin): not supported")
	m := &Mounted{}
	m.noteLVM2(volume.Volume{Name: "d partition 2", VG: "vg-0", PVUUID: "x",
		Refused: []volume.RefusedLV{{VG: "vg-0", LV: "thin-1", Err: thin}}}, "d")
	for spec, want := range map[string]error{
		"/dev/mapper/vg--0-thin--1":             thin,
		"/dev/vg-0/thin-1":                      thin,
		"/dev/disk/by-id/dm-name-vg--0-thin--1": thin,
		"/dev/vg-0/other":                       nil,
		"UUID=1234":                             nil,
	} {
		if got := m.lvmIssue(spec); got != want {
			t.Errorf("lvmIssue(%q) = %v, want %v", spec, got, want)
		}
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "thin provisioning") {
		t.Errorf("warnings = %q", m.Warnings)
	}
}
