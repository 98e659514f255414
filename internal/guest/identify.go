package guest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// Identifier is an optional interface a filesystem engine's FS implements
// to report the UUID and label fstab and blkid use (UUID=..., LABEL=...).
// UUID is lower-case and hyphenated as blkid prints it ("" if none).
type Identifier interface {
	UUID() string
	Label() string
}

// superblockID reads the UUID and label from the superblock of the
// filesystems Linux commonly mounts by UUID, for engines that do not
// implement Identifier. Offsets: ext2/3/4 (superblock at 1024: magic 0xEF53
// at 0x38, s_uuid at 0x68, s_volume_name at 0x78), XFS (sb at 0: "XFSB",
// sb_uuid at 32, sb_fname at 108), btrfs (sb at 64 KiB: magic at 0x40,
// fsid at 0x20, label at 0x12B) and Linux swap (uuid at 1036, label at 1052).
func superblockID(r io.ReaderAt, size int64) (uuid, label string) {
	read := func(off int64, n int) []byte {
		if off+int64(n) > size {
			return nil
		}
		b := make([]byte, n)
		if _, err := r.ReadAt(b, off); err != nil {
			return nil
		}
		return b
	}
	if sb := read(1024, 0x88); sb != nil && binary.LittleEndian.Uint16(sb[0x38:]) == 0xEF53 {
		return uuidString(sb[0x68:0x78]), cString(sb[0x78:0x88])
	}
	if sb := read(0, 120); sb != nil && string(sb[:4]) == "XFSB" {
		return uuidString(sb[32:48]), cString(sb[108:120])
	}
	if sb := read(64<<10, 0x12B+256); sb != nil && string(sb[0x40:0x48]) == "_BHRfS_M" {
		return uuidString(sb[0x20:0x30]), cString(sb[0x12B:])
	}
	if pg := read(0, 4096); pg != nil && string(pg[4086:]) == "SWAPSPACE2" {
		return uuidString(pg[1036:1052]), cString(pg[1052:1068])
	}
	return "", ""
}

// uuidString formats 16 big-endian bytes as a lower-case UUID, "" if zero.
func uuidString(b []byte) string {
	if bytes.Count(b, []byte{0}) == len(b) {
		return ""
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
