package xfs

import (
	"encoding/binary"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cksum is the XFS metadata CRC: crc32c over buf with the 4 bytes at off
// taken as zero.
func cksum(buf []byte, off int) uint32 {
	var zero [4]byte
	c := crc32.Update(0, castagnoli, buf[:off])
	c = crc32.Update(c, castagnoli, zero[:])
	return crc32.Update(c, castagnoli, buf[off+4:])
}

// verifyCRC checks the little-endian CRC stored at off.
func verifyCRC(buf []byte, off int) bool {
	if off < 0 || off+4 > len(buf) {
		return false
	}
	return binary.LittleEndian.Uint32(buf[off:]) == cksum(buf, off)
}

// updateCRC stores the CRC of buf at off.
func updateCRC(buf []byte, off int) {
	binary.LittleEndian.PutUint32(buf[off:], cksum(buf, off))
}

func be16(b []byte, off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func be32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }
func be64(b []byte, off int) uint64 { return binary.BigEndian.Uint64(b[off:]) }

func putBE16(b []byte, off int, v uint16) { binary.BigEndian.PutUint16(b[off:], v) }
func putBE32(b []byte, off int, v uint32) { binary.BigEndian.PutUint32(b[off:], v) }
func putBE64(b []byte, off int, v uint64) { binary.BigEndian.PutUint64(b[off:], v) }
