package guest

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// FuzzParseFstab: any fstab parses without panicking, and matching its
// specs against a volume never panics.
func FuzzParseFstab(f *testing.F) {
	f.Add([]byte("UUID=0a1b / ext4 defaults 0 1\nLABEL=my\\040boot /boot ext4 nofail 0 2\n/dev/sda3 none swap sw\n"))
	f.Add([]byte("/dev/disk/by-partlabel/a\\x2 /x auto\nPARTUUID=\"ab\" /y\n\\\\ \\0 \\777\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := volumeID{vol: volume.Volume{Index: 2, PartUUID: "ab", PartLabel: "a"}, uuid: "0a1b", label: "my boot"}
		for _, e := range ParseFstab(data) {
			v.matches(e.Spec)
			_ = e.skipReason()
			_ = e.mountPoint()
		}
	})
}

// FuzzParseOSRelease: any os-release parses without panicking.
func FuzzParseOSRelease(f *testing.F) {
	f.Add([]byte("ID=\"rocky\"\nID_LIKE='rhel centos'\nVERSION_ID=9.4\nPRETTY_NAME=\"a \\\"b\\\" \\\\\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := guestFromOSRelease(ParseOSRelease(data))
		if g.OS != "linux" || g.Family == "" {
			t.Fatalf("guest %+v", g)
		}
	})
}
