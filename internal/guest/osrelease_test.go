package guest

import (
	"reflect"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

func TestParseOSRelease(t *testing.T) {
	kv := ParseOSRelease([]byte(`# comment
NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PRETTY_NAME="Rocky Linux 9.4 (Blue \"Onyx\")"
ANSI_COLOR='0;32'
BROKEN LINE
HOME_URL=https://rockylinux.org/
`))
	want := map[string]string{
		"NAME": "Rocky Linux", "VERSION": "9.4 (Blue Onyx)", "ID": "rocky", "ID_LIKE": "rhel centos fedora",
		"VERSION_ID": "9.4", "PRETTY_NAME": `Rocky Linux 9.4 (Blue "Onyx")`, "ANSI_COLOR": "0;32",
		"HOME_URL": "https://rockylinux.org/",
	}
	if !reflect.DeepEqual(want, kv) {
		t.Errorf("ParseOSRelease:\n got %+v\nwant %+v", kv, want)
	}
}

func TestGuestFromOSRelease(t *testing.T) {
	for _, c := range []struct {
		osRelease    string
		distro       string
		family       Family
		major, minor int
	}{
		{"ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"", "rocky", FamilyRHEL, 9, 4},
		{"ID=almalinux\nVERSION_ID=8.10", "almalinux", FamilyRHEL, 8, 10},
		{"ID=\"ol\"\nVERSION_ID=\"9.3\"", "ol", FamilyRHEL, 9, 3},
		{"ID=centos\nVERSION_ID=\"7\"", "centos", FamilyRHEL, 7, 0},
		{"ID=fedora\nVERSION_ID=40", "fedora", FamilyFedora, 40, 0},
		{"ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"", "ubuntu", FamilyDebian, 22, 4},
		{"ID=debian\nVERSION_ID=\"12\"", "debian", FamilyDebian, 12, 0},
		{"ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"", "opensuse-leap", FamilySUSE, 15, 5},
		{"ID=\"sles\"\nVERSION_ID=\"15-SP5\"", "sles", FamilySUSE, 0, 0},
		{"ID=amzn\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2023\"", "amzn", FamilyRHEL, 2023, 0},
		{"ID=linuxmint\nID_LIKE=\"ubuntu debian\"", "linuxmint", FamilyDebian, 0, 0},
		{"ID=myos\nID_LIKE=\"ubuntu\"", "myos", FamilyDebian, 0, 0},
		{"ID=arch", "arch", FamilyArch, 0, 0},
		{"ID=alpine\nVERSION_ID=3.20.1", "alpine", FamilyAlpine, 3, 20},
		{"ID=gentoo", "gentoo", FamilyUnknown, 0, 0},
		{"NAME=x", "linux", FamilyUnknown, 0, 0},
	} {
		g := guestFromOSRelease(ParseOSRelease([]byte(c.osRelease)))
		if g.Distro != c.distro || g.Family != c.family || g.Major != c.major || g.Minor != c.minor || g.OS != "linux" {
			t.Errorf("%q: got %s/%s %d.%d", c.osRelease, g.Distro, g.Family, g.Major, g.Minor)
		}
	}
}

func TestDetectPackageManager(t *testing.T) {
	for _, c := range []struct {
		tree          testtool.Tree
		manager, fmt_ string
	}{
		{testtool.Tree{"usr/bin/apt-get": "x"}, "apt", "deb"},
		{testtool.Tree{"etc/apt/": ""}, "apt", "deb"},
		{testtool.Tree{"usr/bin/dnf": "-> dnf-3", "usr/bin/yum": "-> dnf-3"}, "dnf", "rpm"},
		{testtool.Tree{"usr/bin/yum": "x"}, "yum", "rpm"},
		{testtool.Tree{"usr/bin/zypper": "x"}, "zypper", "rpm"},
		{testtool.Tree{"usr/bin/pacman": "x"}, "pacman", ""},
		{testtool.Tree{"sbin/apk": "x"}, "apk", ""},
		{testtool.Tree{"bin": "-> usr/bin", "usr/bin/true": "x"}, "", ""},
	} {
		m, f, err := detectPackageManager(NewRoot(testtool.MemFS(t, c.tree)))
		if err != nil || m != c.manager || f != c.fmt_ {
			t.Errorf("%v: got %q %q %v, want %q %q", c.tree, m, f, err, c.manager, c.fmt_)
		}
	}
}

func TestParseFstab(t *testing.T) {
	got := ParseFstab([]byte(`# /etc/fstab
UUID=0a1b / ext4 defaults 0 1
LABEL=my\040boot  /boot  ext4  defaults,nofail 0 2
/dev/sda3 none swap sw 0 0   # trailing comment
tmpfs /tmp tmpfs
short
`))
	want := []FstabEntry{
		{Line: 2, Spec: "UUID=0a1b", File: "/", VfsType: "ext4", Options: []string{"defaults"}},
		{Line: 3, Spec: "LABEL=my boot", File: "/boot", VfsType: "ext4", Options: []string{"defaults", "nofail"}},
		{Line: 4, Spec: "/dev/sda3", File: "none", VfsType: "swap", Options: []string{"sw"}},
		{Line: 5, Spec: "tmpfs", File: "/tmp", VfsType: "tmpfs"},
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("ParseFstab:\n got %+v\nwant %+v", got, want)
	}
	if got[1].skipReason() != "" || got[2].skipReason() == "" || got[3].skipReason() == "" {
		t.Errorf("skip reasons: %q %q %q", got[1].skipReason(), got[2].skipReason(), got[3].skipReason())
	}
}

func TestFstabSpecMatches(t *testing.T) {
	v := volumeID{
		vol:  volume.Volume{Index: 2, PartUUID: "aa0734ed-b355-4326-8ae8-fc61eb737944", PartLabel: "root fs"},
		uuid: "3f1c2d4e-0000-4000-8000-000000000001", label: "ROOT",
	}
	for spec, want := range map[string]bool{
		"UUID=3F1C2D4E-0000-4000-8000-000000000001":     true,
		"UUID=\"3f1c2d4e-0000-4000-8000-000000000001\"": true,
		"UUID=3f1c2d4e-0000-4000-8000-000000000002":     false,
		"LABEL=ROOT": true,
		"LABEL=root": false,
		"PARTUUID=AA0734ED-B355-4326-8AE8-FC61EB737944":              true,
		"PARTLABEL=root fs":                                          true,
		"/dev/disk/by-uuid/3f1c2d4e-0000-4000-8000-000000000001":     true,
		"/dev/disk/by-label/ROOT":                                    true,
		"/dev/disk/by-partuuid/aa0734ed-b355-4326-8ae8-fc61eb737944": true,
		`/dev/disk/by-partlabel/root\x20fs`:                          true,
		"/dev/sda2":                                                  true,
		"/dev/vda2":                                                  true,
		"/dev/xvda2":                                                 true,
		"/dev/nvme0n1p2":                                             true,
		"/dev/mmcblk0p2":                                             true,
		"/dev/sda1":                                                  false,
		"/dev/sdb2":                                                  false,
		"/dev/sda":                                                   false,
		"/dev/mapper/vg-root":                                        false,
		"UUID=":                                                      false,
		"tmpfs":                                                      false,
	} {
		if got := v.matches(spec); got != want {
			t.Errorf("matches(%q) = %v, want %v", spec, got, want)
		}
	}
	whole := volumeID{vol: volume.Volume{Index: 0}}
	if !whole.matches("/dev/vda") || whole.matches("/dev/vda1") {
		t.Error("whole-disk /dev/vda matching")
	}
}

func TestMergeRanges(t *testing.T) {
	got := mergeRanges([]image.Range{{Off: 100, Len: 10}, {Off: 0, Len: 10}, {Off: 10, Len: 5}, {Off: 105, Len: 20}, {Off: 50, Len: 1}})
	want := []image.Range{{Off: 0, Len: 15}, {Off: 50, Len: 1}, {Off: 100, Len: 25}}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("mergeRanges:\n got %+v\nwant %+v", got, want)
	}
}
