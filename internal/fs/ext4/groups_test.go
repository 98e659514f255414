package ext4

import (
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestAllocationAcrossGroups writes past the first flex group into
// BLOCK_UNINIT groups and creates enough inodes to leave INODE_UNINIT groups,
// then checks e2fsck, the kernel and the descriptors' flags.
func TestAllocationAcrossGroups(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "x\n"}, "1G", "-b", "1024", "-G", "4", "-N", "2048")
	f := openFS(t, img, false)
	uninit := 0
	for g := uint32(0); g < f.geo.groups; g++ {
		if f.gd(g).Flags()&bgBlockUninit != 0 {
			uninit++
		}
	}
	if uninit == 0 {
		t.Fatal("fixture has no BLOCK_UNINIT group")
	}
	big := []byte(strings.Repeat("0123456789abcdef", 3<<20/16)) // 3 MiB; 8 MiB groups with 1 KiB blocks
	for i := 0; i < 12; i++ {
		if err := f.WriteFile("/big"+string(rune('a'+i)), big, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i++ {
		if err := f.Mkdir("/d"+string(rune('A'+i)), 0o755); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			if err := f.WriteFile("/d"+string(rune('A'+i))+"/"+string(rune('a'+j)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	after := 0
	for g := uint32(0); g < f.geo.groups; g++ {
		if f.gd(g).Flags()&bgBlockUninit != 0 {
			after++
		}
	}
	if after >= uninit {
		t.Fatalf("no BLOCK_UNINIT group was used (%d before, %d after)", uninit, after)
	}
	if (f.geo.ipg) >= 160 {
		t.Fatalf("inodes per group %d: the fixture does not spill into other groups", f.geo.ipg)
	}
	want := snapshotOf(t, f)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, nil, want)
	wantFreeRanges(t, img)
}
