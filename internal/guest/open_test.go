package guest

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	_ "github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

const (
	rootUUID  = "3f1c2d4e-1111-4000-8000-000000000001"
	varUUID   = "3f1c2d4e-2222-4000-8000-000000000002"
	swapUUID  = "3f1c2d4e-3333-4000-8000-000000000003"
	homePUUID = "aa0734ed-b355-4326-8ae8-fc61eb737944"
)

// rockyDisk is a GPT disk: /boot by LABEL, / by UUID, swap, /home by
// PARTUUID, /var by /dev/disk/by-uuid, plus entries Open must skip.
func rockyDisk(t *testing.T) string {
	fstab := fmt.Sprintf(`# /etc/fstab
UUID=%s /                       ext4    defaults        1 1
LABEL=BOOT                                /boot                   ext4    defaults        1 2
PARTUUID=%s /home ext4 defaults 0 2
/dev/disk/by-uuid/%s /var ext4 defaults 0 2
UUID=%s none swap defaults 0 0
UUID=7B77-95E7 /boot/efi vfat umask=0077,shortname=winnt 0 2
tmpfs /tmp tmpfs defaults 0 0
/dev/vdb1 /data ext4 defaults,nofail 0 0
`, rootUUID, homePUUID, varUUID, swapUUID)
	return buildDisk(t, "gpt", []testPart{
		{name: "boot", sizeMiB: 8, gptType: "8300", kind: "ext4", label: "BOOT",
			tree: testtool.Tree{"grub2/grub.cfg": "set default=0\n", "vmlinuz-5.14": "kernel"}},
		{name: "root", sizeMiB: 16, gptType: "8300", kind: "ext4", uuid: rootUUID,
			tree: testtool.Tree{
				"usr/lib/os-release": "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\n",
				"etc/os-release":     "-> ../usr/lib/os-release",
				"etc/fstab":          fstab,
				"etc/hostname":       "rocky.example\n",
				"usr/bin/dnf":        "-> dnf-3",
				"usr/bin/dnf-3":      "#!/usr/bin/python3\n",
				"boot/":              "",
				"home/":              "",
				"var/":               "",
				"var/hidden":         "on the root fs, under the /var mount",
			}},
		{name: "swap", sizeMiB: 4, gptType: "8200", kind: "swap", uuid: swapUUID},
		{name: "home", sizeMiB: 8, gptType: "8302", kind: "ext4", partUUID: homePUUID,
			tree: testtool.Tree{"rocky/.bashrc": "# bashrc\n", "rocky/.ssh/authorized_keys": "ssh-ed25519 AAAA\n"}},
		{name: "var", sizeMiB: 8, gptType: "8300", kind: "ext4", uuid: varUUID,
			tree: testtool.Tree{"log/messages": "boot ok\n", "lib/dbus/machine-id": "0123\n"}},
	})
}

func mustOpen(t *testing.T, disk string, ro bool) *Mounted {
	t.Helper()
	m, err := Open(context.Background(), openFile(t, disk), Options{Name: "disk.img", ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestOpenGPTGuest(t *testing.T) {
	disk := rockyDisk(t)
	m := mustOpen(t, disk, true)
	g := m.Guest
	if g.Distro != "rocky" || g.Family != FamilyRHEL || g.VersionID != "9.4" || g.Major != 9 || g.Minor != 4 ||
		g.PrettyName != "Rocky Linux 9.4 (Blue Onyx)" || g.PackageManager != "dnf" || g.PackageFormat != "rpm" || !g.IsRedHatLike() {
		t.Errorf("guest = %+v", g)
	}
	mounts := map[string]string{}
	for _, f := range m.Filesystems {
		mounts[f.Volume.PartLabel] = f.Mountpoint
		if f.Type != "ext4" {
			t.Errorf("%s: type %q", f.Volume.Name, f.Type)
		}
	}
	want := map[string]string{"boot": "/boot", "root": "/", "home": "/home", "var": "/var"}
	if fmt.Sprint(mounts) != fmt.Sprint(want) {
		t.Errorf("mount points = %v, want %v", mounts, want)
	}
	if got := m.Root.Mountpoints(); fmt.Sprint(got) != "[/ /boot /home /var]" {
		t.Errorf("Root.Mountpoints() = %v", got)
	}
	for p, want := range map[string]string{
		"/etc/hostname":                    "rocky.example\n",
		"/boot/grub2/grub.cfg":             "set default=0\n",
		"/home/rocky/.ssh/authorized_keys": "ssh-ed25519 AAAA\n",
		"/var/log/messages":                "boot ok\n",
		"/etc/os-release":                  "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\n",
	} {
		if got, err := readString(t, m.Root, p); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
	if _, err := m.Root.Lstat("/var/hidden"); !errors.Is(err, iofs.ErrNotExist) {
		t.Errorf("/var/hidden visible through the /var mount: %v", err)
	}
	// The vfat /boot/efi has no volume here: a warning, not a failure; so
	// does the nofail /data.
	warn := strings.Join(m.Warnings, "\n")
	if !strings.Contains(warn, "/boot/efi") || !strings.Contains(warn, "/data") {
		t.Errorf("warnings = %q", warn)
	}
	if len(g.Filesystems) != 4 {
		t.Errorf("Guest.Filesystems = %+v", g.Filesystems)
	}
	for _, f := range m.Filesystems {
		if f.Volume.PartLabel == "root" && (f.UUID != rootUUID || f.Label != "") {
			t.Errorf("root fs UUID/label = %q/%q", f.UUID, f.Label)
		}
		if f.Volume.PartLabel == "boot" && f.Label != "BOOT" {
			t.Errorf("boot fs label = %q", f.Label)
		}
	}
}

// TestOpenFreeRangesHoldNoData zeroes every range FreeRanges reports on a
// copy of the disk, then checks that e2fsck finds every filesystem clean
// and that every file still reads the same: the ranges hold no live data.
func TestOpenFreeRangesHoldNoData(t *testing.T) {
	testtool.Need(t, "e2fsck")
	disk := rockyDisk(t)
	m := mustOpen(t, disk, true)
	before := treeSnapshot(t, m.Root)
	ranges, err := m.FreeRanges()
	if err != nil {
		t.Fatal(err)
	}
	var swap volume.Volume
	for _, f := range m.swap {
		swap = f.vol
	}
	if swap.Size == 0 {
		t.Fatal("swap partition not found")
	}
	var total int64
	sawSwap := false
	for i, r := range ranges {
		if r.Len <= 0 || (i > 0 && r.Off <= ranges[i-1].End()) {
			t.Fatalf("ranges not sorted and merged: %v", ranges[max(0, i-1):i+1])
		}
		total += r.Len
		if r.Off <= swap.Offset+4096 && r.End() >= swap.Offset+swap.Size {
			sawSwap = true
		}
		if r.Off < swap.Offset+4096 && r.End() > swap.Offset {
			t.Errorf("range %v covers the swap header page", r)
		}
	}
	if !sawSwap {
		t.Errorf("swap area [%d,+%d) beyond its first page not free: %v", swap.Offset, swap.Size, ranges)
	}
	if total < 20<<20 {
		t.Errorf("only %d bytes free on a mostly empty 44 MiB disk", total)
	}
	m.Close()
	zeroAndCheck(t, disk, ranges, before)
}

// zeroAndCheck zeroes ranges in disk, then checks that e2fsck finds every
// ext4 partition clean and the guest tree still reads as before.
func zeroAndCheck(t *testing.T, disk string, ranges []image.Range, before map[string]string) {
	t.Helper()
	img := openFile(t, disk)
	zero := make([]byte, 1<<20)
	for _, r := range ranges {
		for off := r.Off; off < r.End(); off += int64(len(zero)) {
			n := min(int64(len(zero)), r.End()-off)
			if _, err := img.WriteAt(zero[:n], off); err != nil {
				t.Fatal(err)
			}
		}
	}
	vols, err := volume.List(img, "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vols {
		if volume.Identify(v.Image, v.Size) == volume.ContentSwap {
			continue
		}
		testtool.Fsck(t, "ext4", extract(t, disk, i))
	}
	m2 := mustOpen(t, disk, true)
	after := treeSnapshot(t, m2.Root)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("tree changed after zeroing free ranges:\nbefore %v\nafter  %v", before, after)
	}
}

// TestOpenFreeRangesAfterWrites edits every mounted filesystem (new files,
// a removed one, a grown one), closes, and checks that the free ranges of
// the final state hold none of the data.
func TestOpenFreeRangesAfterWrites(t *testing.T) {
	disk := rockyDisk(t)
	m := mustOpen(t, disk, false)
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	for _, err := range []error{
		m.Root.WriteFile("/var/log/big.log", []byte(big), 0o644),
		m.Root.WriteFile("/boot/initramfs.img", []byte(big[:300<<10]), 0o600),
		m.Root.Remove("/var/log/messages"),
		m.Root.WriteFile("/home/rocky/.bashrc", []byte(big[:200<<10]), 0o644),
		fs.MkdirAll(m.Root, "/etc/cloud/cloud.cfg.d", 0o755),
		m.Root.WriteFile("/etc/cloud/cloud.cfg.d/99.cfg", []byte("x: 1\n"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	ranges, err := m.FreeRanges()
	if err != nil {
		t.Fatal(err)
	}
	m2 := mustOpen(t, disk, true)
	before := treeSnapshot(t, m2.Root)
	m2.Close()
	if before["/var/log/big.log"] != "f "+big || before["/var/log/messages"] != "" {
		t.Fatal("the edits did not land")
	}
	zeroAndCheck(t, disk, ranges, before)
}

func copyRange(t *testing.T, img image.Image, off, size int64, dst string) {
	t.Helper()
	out, err := os.OpenFile(dst, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	buf := make([]byte, 1<<20)
	for pos := int64(0); pos < size; pos += int64(len(buf)) {
		n := min(int64(len(buf)), size-pos)
		if _, err := img.ReadAt(buf[:n], off+pos); err != nil {
			t.Fatal(err)
		}
		if _, err := out.WriteAt(buf[:n], pos); err != nil {
			t.Fatal(err)
		}
	}
}

// treeSnapshot maps every guest path to its type and content.
func treeSnapshot(t *testing.T, r *Root) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(r, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		switch {
		case st.IsRegular():
			b, err := fs.ReadFile(r, p)
			if err != nil {
				return err
			}
			out[p] = "f " + string(b)
		case st.IsSymlink():
			tgt, _ := r.Readlink(p)
			out[p] = "l " + tgt
		default:
			out[p] = st.Mode.String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenMBRLogical(t *testing.T) {
	disk := buildDisk(t, "mbr", []testPart{
		{sizeMiB: 16, mbrType: "83", kind: "ext4", tree: testtool.Tree{
			"etc/os-release":  "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
			"etc/fstab":       "/dev/sda1 / ext4 errors=remount-ro 0 1\n/dev/sda5 /var ext4 defaults 0 2\n/dev/sda6 none swap sw 0 0\nLABEL=srv /srv/data ext4 defaults 0 2\n",
			"etc/apt/":        "",
			"usr/bin/apt-get": "x",
			"srv":             "-> opt/srv",
			"opt/srv/":        "",
			"var/":            "",
		}},
		{sizeMiB: 2, mbrType: "ef", kind: ""},
		{sizeMiB: 2, mbrType: "83", kind: ""},
		{sizeMiB: 8, mbrType: "83", kind: "ext4", tree: testtool.Tree{"log/syslog": "var on a logical partition\n"}},
		{sizeMiB: 4, mbrType: "82", kind: "swap"},
		{sizeMiB: 8, mbrType: "83", kind: "ext4", label: "srv", tree: testtool.Tree{"www/index.html": "hi\n"}},
	})
	m := mustOpen(t, disk, true)
	if m.Guest.Distro != "debian" || m.Guest.Family != FamilyDebian || m.Guest.PackageManager != "apt" || m.Guest.PackageFormat != "deb" {
		t.Errorf("guest = %+v", m.Guest)
	}
	if got, err := readString(t, m.Root, "/var/log/syslog"); err != nil || got != "var on a logical partition\n" {
		t.Errorf("/var/log/syslog = %q, %v", got, err)
	}
	// /srv is a symlink: the kernel mounts on its target, /opt/srv.
	if got, err := readString(t, m.Root, "/opt/srv/data/www/index.html"); err != nil || got != "hi\n" {
		t.Errorf("/opt/srv/data/www/index.html = %q, %v", got, err)
	}
	for _, f := range m.Filesystems {
		if f.Volume.Index == 5 && f.Mountpoint != "/var" || f.Volume.Index == 7 && f.Mountpoint != "/opt/srv/data" {
			t.Errorf("partition %d mounted on %q", f.Volume.Index, f.Mountpoint)
		}
	}
}

func TestOpenWholeDisk(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{
		"etc/os-release":     "-> ../usr/lib/os-release",
		"usr/lib/os-release": "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n",
		"etc/fstab":          "LABEL=cloudimg-rootfs / ext4 discard,errors=remount-ro 0 1\n",
	}, "16M", "-L", "cloudimg-rootfs")
	g, err := Inspect(context.Background(), openFile(t, img), "root.img")
	if err != nil || g.Distro != "ubuntu" || g.Family != FamilyDebian || len(g.Filesystems) != 1 || g.Filesystems[0].Mountpoint != "/" {
		t.Fatalf("Inspect = %+v, %v", g, err)
	}
	m := mustOpen(t, img, true)
	if m.Guest.Distro != "ubuntu" || m.Guest.Major != 24 || m.Guest.Minor != 4 || len(m.Filesystems) != 1 ||
		m.Filesystems[0].Volume.Table != volume.TableNone || m.Filesystems[0].Mountpoint != "/" {
		t.Errorf("guest = %+v, filesystems = %+v", m.Guest, m.Filesystems)
	}
}

func TestOpenNoOS(t *testing.T) {
	disk := buildDisk(t, "gpt", []testPart{
		{name: "data", sizeMiB: 8, gptType: "8300", kind: "ext4", tree: testtool.Tree{"etc/fstab": "# none\n"}},
		{name: "crypt", sizeMiB: 2, gptType: "8309", kind: "luks"},
		{name: "swap", sizeMiB: 2, gptType: "8200", kind: "swap"},
		{name: "empty", sizeMiB: 2, gptType: "8300", kind: ""},
		{name: "pv", sizeMiB: 2, gptType: "8e00", kind: "lvm2"},
	})
	_, err := Open(context.Background(), openFile(t, disk), Options{Name: "disk.img", ReadOnly: true})
	if !errors.Is(err, ErrNoOS) || !errors.Is(err, volume.ErrUnsupported) {
		t.Fatalf("err = %v, want ErrNoOS and volume.ErrUnsupported", err)
	}
	for _, want := range []string{
		`disk.img partition 1 (GPT "data"): ext4: no /etc/os-release or /usr/lib/os-release`,
		`disk.img partition 2 (GPT "crypt"): LUKS encrypted`,
		`disk.img partition 3 (GPT "swap"): swap`,
		`disk.img partition 4 (GPT "empty"): no filesystem recognised`,
		`LVM2 physical volume on partition 5: not supported yet`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestOpenChoosesSelfMountingRoot(t *testing.T) {
	const uuidA, uuidB = "3f1c2d4e-aaaa-4000-8000-00000000000a", "3f1c2d4e-bbbb-4000-8000-00000000000b"
	osTree := func(fstab string) testtool.Tree {
		return testtool.Tree{"etc/os-release": "ID=fedora\nVERSION_ID=40\n", "etc/fstab": fstab}
	}
	// B's fstab mounts A on /: B is a rescue copy; A is the root.
	disk := buildDisk(t, "gpt", []testPart{
		{name: "a", sizeMiB: 8, gptType: "8300", kind: "ext4", uuid: uuidA, tree: osTree("UUID=" + uuidA + " / ext4 defaults 0 1\n")},
		{name: "b", sizeMiB: 8, gptType: "8300", kind: "ext4", uuid: uuidB, tree: osTree("UUID=" + uuidA + " / ext4 defaults 0 1\n")},
	})
	m := mustOpen(t, disk, true)
	if m.Filesystems[0].Mountpoint != "/" || m.Filesystems[1].Mountpoint != "" || m.Guest.Family != FamilyFedora {
		t.Errorf("filesystems = %+v", m.Filesystems)
	}
	m.Close()
	// Writable: only the mounted root is opened for writing.
	m = mustOpen(t, disk, false)
	if m.Filesystems[0].ReadOnly || !m.Filesystems[1].ReadOnly || m.Guest.Filesystems[0].ReadOnly || !m.Guest.Filesystems[1].ReadOnly {
		t.Errorf("writable open: filesystems = %+v", m.Filesystems)
	}
	if err := m.Filesystems[1].FS.WriteFile("/x", nil, 0o644); !errors.Is(err, fs.ErrReadOnly) {
		t.Errorf("unmounted filesystem accepted a write: %v", err)
	}
	m.Close()
	testtool.Fsck(t, "ext4", extract(t, disk, 0))
	testtool.Fsck(t, "ext4", extract(t, disk, 1))
	// Neither mounts itself: ambiguous.
	disk = buildDisk(t, "gpt", []testPart{
		{name: "a", sizeMiB: 8, gptType: "8300", kind: "ext4", uuid: uuidA, tree: osTree("LABEL=x / ext4 defaults 0 1\n")},
		{name: "b", sizeMiB: 8, gptType: "8300", kind: "ext4", uuid: uuidB, tree: osTree("")},
	})
	_, err := Open(context.Background(), openFile(t, disk), Options{Name: "disk.img", ReadOnly: true})
	if !errors.Is(err, ErrAmbiguousRoot) || !strings.Contains(err.Error(), `partition 2 (GPT "b")`) {
		t.Errorf("err = %v, want ErrAmbiguousRoot naming both", err)
	}
}

func TestOpenFstabVolumeMissing(t *testing.T) {
	disk := buildDisk(t, "gpt", []testPart{
		{name: "root", sizeMiB: 8, gptType: "8300", kind: "ext4", tree: testtool.Tree{
			"etc/os-release": "ID=rocky\n",
			"etc/fstab":      "/dev/mapper/rl-root / xfs defaults 0 0\n/dev/mapper/rl-var /var xfs defaults 0 0\n",
		}},
	})
	_, err := Open(context.Background(), openFile(t, disk), Options{Name: "disk.img", ReadOnly: true})
	if !errors.Is(err, ErrFstab) || !strings.Contains(err.Error(), "/dev/mapper/rl-var on /var") {
		t.Errorf("err = %v, want ErrFstab naming the entry", err)
	}
}

// extract copies the i-th volume of a disk image into its own file.
func extract(t *testing.T, disk string, i int) string {
	t.Helper()
	img := openFile(t, disk)
	vols, err := volume.List(img, "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	part := t.TempDir() + "/part.img"
	if err := os.WriteFile(part, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(part, vols[i].Size); err != nil {
		t.Fatal(err)
	}
	copyRange(t, img, vols[i].Offset, vols[i].Size, part)
	return part
}

// TestOpenWritableSELinuxEndToEnd edits an SELinux guest through Root
// (across the /home mount), then checks with e2fsck and a read-only kernel
// mount that every created inode carries the label file_contexts gives it.
func TestOpenWritableSELinuxEndToEnd(t *testing.T) {
	const homeUUID = "3f1c2d4e-4444-4000-8000-000000000004"
	fc := "/.*\tsystem_u:object_r:default_t:s0\n/etc(/.*)?\tsystem_u:object_r:etc_t:s0\n" +
		"/etc/cloud(/.*)?\tsystem_u:object_r:cloud_etc_t:s0\n/home/[^/]+/\\.ssh(/.*)?\tunconfined_u:object_r:ssh_home_t:s0\n"
	disk := buildDisk(t, "gpt", []testPart{
		{name: "root", sizeMiB: 16, gptType: "8300", kind: "ext4", uuid: rootUUID, tree: testtool.Tree{
			"etc/os-release":     "ID=rocky\nVERSION_ID=9.4\n",
			"etc/fstab":          "UUID=" + rootUUID + " / ext4 defaults 1 1\nUUID=" + homeUUID + " /home ext4 defaults 1 2\n",
			"etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
			"etc/selinux/targeted/contexts/files/file_contexts": fc,
			"home/": "",
		}},
		{name: "home", sizeMiB: 8, gptType: "8302", kind: "ext4", uuid: homeUUID, tree: testtool.Tree{"rocky/.bashrc": "#\n"}},
	})
	m := mustOpen(t, disk, false)
	if m.SELinux != "labels from /etc/selinux/targeted/contexts/files/file_contexts" {
		t.Fatalf("SELinux = %q", m.SELinux)
	}
	r := m.Root
	for _, err := range []error{
		fs.MkdirAll(r, "/etc/cloud/cloud.cfg.d", 0o755),
		r.WriteFile("/etc/cloud/cloud.cfg.d/99-x.cfg", []byte("a: 1\n"), 0o644),
		r.Mkdir("/home/rocky/.ssh", 0o700),
		r.WriteFile("/home/rocky/.ssh/authorized_keys", []byte("ssh-ed25519 AAAA\n"), 0o600),
		r.Symlink("../usr/share/zoneinfo/UTC", "/etc/localtime"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	testtool.Fsck(t, "ext4", extract(t, disk, 0))
	testtool.Fsck(t, "ext4", extract(t, disk, 1))
	vols, err := volume.List(openFile(t, disk), "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	label := func(ctx string) string { return "security.selinux=" + fmt.Sprintf("%x", ctx+"\x00") }
	rootSnap := testtool.Snapshot(t, testtool.Mount(t, "ext4", disk, vols[0].Offset, vols[0].Size))
	homeSnap := testtool.Snapshot(t, testtool.Mount(t, "ext4", disk, vols[1].Offset, vols[1].Size))
	for _, c := range []struct {
		snap map[string]string
		path string
		ctx  string
	}{
		{rootSnap, "etc/cloud", "system_u:object_r:cloud_etc_t:s0"},
		{rootSnap, "etc/cloud/cloud.cfg.d/99-x.cfg", "system_u:object_r:cloud_etc_t:s0"},
		{homeSnap, "rocky/.ssh", "unconfined_u:object_r:ssh_home_t:s0"},
		{homeSnap, "rocky/.ssh/authorized_keys", "unconfined_u:object_r:ssh_home_t:s0"},
	} {
		if got := c.snap[c.path]; !strings.Contains(got, label(c.ctx)) {
			t.Errorf("kernel sees %s as %q, want xattr %s", c.path, got, label(c.ctx))
		}
	}
	if got := rootSnap["etc/localtime"]; !strings.HasSuffix(got, "-> ../usr/share/zoneinfo/UTC") {
		t.Errorf("etc/localtime = %q", got)
	}
	// The kernel snapshot skips symlink xattrs: ask debugfs.
	if out := testtool.Debugfs(t, extract(t, disk, 0), "ea_list /etc/localtime"); !strings.Contains(out, "security.selinux") ||
		!strings.Contains(out, "system_u:object_r:etc_t:s0") {
		t.Errorf("debugfs ea_list /etc/localtime:\n%s", out)
	}
	if strings.Contains(homeSnap["rocky/.bashrc"], "security.selinux") {
		t.Errorf("an untouched file got a label: %q", homeSnap["rocky/.bashrc"])
	}
}

func TestOpenFstabAmbiguousSpec(t *testing.T) {
	// Two cloned data filesystems with the same label.
	disk := buildDisk(t, "gpt", []testPart{
		{name: "root", sizeMiB: 8, gptType: "8300", kind: "ext4", tree: testtool.Tree{
			"etc/os-release": "ID=debian\n",
			"etc/fstab":      "LABEL=data /srv ext4 defaults 0 2\n",
		}},
		{name: "d1", sizeMiB: 4, gptType: "8300", kind: "ext4", label: "data"},
		{name: "d2", sizeMiB: 4, gptType: "8300", kind: "ext4", label: "data"},
	})
	_, err := Open(context.Background(), openFile(t, disk), Options{Name: "disk.img", ReadOnly: true})
	if !errors.Is(err, ErrFstab) || !strings.Contains(err.Error(), "matches both") {
		t.Errorf("err = %v, want an ambiguous-spec ErrFstab", err)
	}
}
