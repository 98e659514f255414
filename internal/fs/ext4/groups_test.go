package ext4

import (
	"errors"
	"fmt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
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

// TestFullFilesystem fills a small filesystem (blocks, then inodes): every
// failure is ErrNoSpace and what is left passes e2fsck and matches the kernel.
func TestFullFilesystem(t *testing.T) {
	for _, args := range [][]string{{"-b", "1024", "-N", "64"}, {"-t", "ext2", "-b", "1024", "-N", "64"}} {
		img := testtool.MkfsExt4(t, testtool.Tree{"a": "b"}, "2M", args...)
		f := openFS(t, img, false)
		data := []byte(strings.Repeat("z", 50000))
		var err error
		for i := 0; i < 200 && err == nil; i++ {
			err = f.WriteFile(fmt.Sprintf("/f%03d-%s", i, strings.Repeat("n", 200)), data, 0o644)
		}
		if !errors.Is(err, fs.ErrNoSpace) {
			t.Fatalf("filling blocks: %v", err)
		}
		for i := 0; i < 2; i++ {
			if err := f.Remove(fmt.Sprintf("/f%03d-%s", i, strings.Repeat("n", 200))); err != nil {
				t.Fatal(err)
			}
		}
		err = nil
		made := 0
		for i := 0; i < 200 && err == nil; i++ {
			if err = f.Mkdir(fmt.Sprintf("/d%03d", i), 0o755); err == nil {
				made++
			}
		}
		if made == 0 {
			t.Fatal("no directory could be made after freeing space")
		}
		if !errors.Is(err, fs.ErrNoSpace) {
			t.Fatalf("filling inodes: %v", err)
		}
		want := snapshotOf(t, f)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		checkImage(t, img, nil, want)
	}
}
