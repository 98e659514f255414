package guestgen

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
)

// zones are the tz database files the guest carries, with the POSIX TZ
// string used when the host has no /usr/share/zoneinfo to copy from.
var zones = []struct{ name, abbr, posix string }{
	{"UTC", "UTC", "UTC0"},
	{"Etc/UTC", "UTC", "UTC0"},
	{"Europe/London", "GMT", "GMT0BST,M3.5.0/1,M10.5.0"},
	{"Europe/Paris", "CET", "CET-1CEST,M3.5.0,M10.5.0/3"},
	{"America/New_York", "EST", "EST5EDT,M3.2.0,M11.1.0"},
}

// zoneinfo returns usr/share/zoneinfo/... files: the host's when present,
// else minimal valid TZif version 2 files (one type, a POSIX footer).
func zoneinfo() Tree {
	t := Tree{}
	for _, z := range zones {
		data, err := os.ReadFile(filepath.Join("/usr/share/zoneinfo", filepath.FromSlash(z.name)))
		if err != nil || !bytes.HasPrefix(data, []byte("TZif")) {
			data = tzif(z.abbr, z.posix)
		}
		t["usr/share/zoneinfo/"+z.name] = Text(string(data))
	}
	return t
}

// tzif encodes a TZif version 2 file (RFC 8536) with no transitions, one
// local time type (offset 0, abbreviation abbr) and the POSIX TZ footer.
func tzif(abbr, posix string) []byte {
	var b bytes.Buffer
	block := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbr) + 1)} {
			_ = binary.Write(&b, binary.BigEndian, n)
		}
		_ = binary.Write(&b, binary.BigEndian, int32(0)) // utoff
		b.WriteByte(0)                                   // isdst
		b.WriteByte(0)                                   // desigidx
		b.WriteString(abbr)
		b.WriteByte(0)
	}
	block() // version 1 data
	block() // version 2 data (64-bit; identical without transitions)
	b.WriteString("\n" + posix + "\n")
	return b.Bytes()
}
