package ext4

import (
	"encoding/binary"
	"testing"
)

// TestLayoutSizes pins the on-disk structure sizes.
func TestLayoutSizes(t *testing.T) {
	for name, c := range map[string]struct{ got, want int }{
		"Superblock":   {binary.Size(Superblock{}), superblockSize},
		"ExtentHeader": {binary.Size(ExtentHeader{}), extentHeaderSize},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, want %d", name, c.got, c.want)
		}
	}
	// Field offsets the engine patches in raw blocks.
	var sb Superblock
	sb.FreeBlocksCountLo, sb.FreeInodesCount, sb.Magic, sb.FreeBlocksCountHi, sb.Checksum = 1, 2, 3, 4, 5
	sb.ChecksumSeed, sb.OrphanFileInum, sb.DescSize = 9, 7, 64
	b, _ := binary.Append(nil, binary.LittleEndian, &sb)
	for off, want := range map[int]uint32{sbOffFreeBlocksLo: 1, sbOffFreeInodes: 2, sbOffFreeBlocksHi: 4, sbOffChecksum: 5} {
		if got := binary.LittleEndian.Uint32(b[off:]); got != want {
			t.Errorf("superblock offset %#x holds %d, want %d", off, got, want)
		}
	}
	if got := binary.LittleEndian.Uint16(b[sbOffMagic:]); got != 3 {
		t.Errorf("magic offset: %d", got)
	}
	if b[0x280] != 7 || b[0x270] != 9 || b[0xFE] != 64 {
		t.Errorf("s_orphan_file_inum, s_checksum_seed or s_desc_size misplaced")
	}
}
