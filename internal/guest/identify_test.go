package guest

import (
	"os"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestSuperblockIDMatchesBlkid makes each filesystem with a known UUID and
// label and checks that superblockID reads what blkid reports.
func TestSuperblockIDMatchesBlkid(t *testing.T) {
	testtool.Need(t, "blkid")
	const uuid = "5e1f0c3a-7b2d-4c1e-9a8b-0123456789ab"
	for _, c := range []struct {
		tool string
		size int64
		args []string
	}{
		{"mkfs.ext4", 8 << 20, []string{"-q", "-F", "-U", uuid, "-L", "rootfs"}},
		{"mkfs.xfs", 300 << 20, []string{"-q", "-f", "-m", "uuid=" + uuid, "-L", "xfsroot"}},
		{"mkfs.btrfs", 128 << 20, []string{"-q", "-f", "-U", uuid, "-L", "btrfsroot"}},
		{"mkswap", 4 << 20, []string{"-U", uuid, "-L", "swaplabel"}},
	} {
		t.Run(c.tool, func(t *testing.T) {
			testtool.Need(t, c.tool)
			img := t.TempDir() + "/fs.img"
			if err := os.WriteFile(img, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(img, c.size); err != nil {
				t.Fatal(err)
			}
			testtool.Run(t, c.tool, append(c.args, img)...)
			wantUUID := strings.TrimSpace(testtool.Run(t, "blkid", "-p", "-o", "value", "-s", "UUID", img))
			wantLabel := strings.TrimSpace(testtool.Run(t, "blkid", "-p", "-o", "value", "-s", "LABEL", img))
			f := openFile(t, img)
			gotUUID, gotLabel := superblockID(f, f.Size())
			if gotUUID != wantUUID || gotLabel != wantLabel || wantUUID != uuid {
				t.Errorf("superblockID = %q %q; blkid says %q %q", gotUUID, gotLabel, wantUUID, wantLabel)
			}
		})
	}
}
