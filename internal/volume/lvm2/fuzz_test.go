package lvm2

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzMetadata: any text parses or fails with an error; what parses
// formats back to text that parses to the same formatting; decoding and
// mapping never panic.
func FuzzMetadata(f *testing.F) {
	f.Add(sampleText(f))
	f.Add([]byte("a { b = [\"x\", 1] c = 1.5 d { } }\n# end"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseConfig(data)
		if err != nil {
			return
		}
		out := s.Format()
		s2, err := ParseConfig([]byte(out))
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\n%s", err, out)
		}
		if out2 := s2.Format(); out2 != out {
			t.Fatalf("format is not stable:\n%s\n---\n%s", out, out2)
		}
		vg, err := DecodeVG(data)
		if err != nil {
			return
		}
		for i := range vg.LVs {
			_, _ = vg.Linear(&vg.LVs[i])
		}
		for i := range vg.PVs {
			_ = vg.Unallocated(i)
		}
	})
}

// FuzzLabel: any PV head is read or refused without panics, and what is
// read assembles and maps without panics. With fix set, the checksums are
// repaired first so that mutations reach the decoders behind them.
func FuzzLabel(f *testing.F) {
	text := sampleText(f)
	for _, ring := range []uint64{512, 8192, 12000} {
		f.Add(buildPVSized(text, ring, 12288, 4096+12288+4096, 4096+12288), false)
	}
	// A VG that fits the seed: a two-segment LV over 4 KiB extents.
	f.Add(buildPVSized([]byte(miniVG), 512, 4096, 16384, 8192), true)
	f.Fuzz(func(t *testing.T, data []byte, fix bool) {
		if fix {
			fixChecksums(data)
		}
		pv, err := ReadPV(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, g := range Assemble([]*PV{pv}, []int64{int64(len(data))}) {
			if g.Err != nil {
				continue
			}
			for i := range g.VG.LVs {
				_, _ = g.VG.Linear(&g.VG.LVs[i])
			}
			_ = g.VG.Unallocated(0)
		}
	})
}

// fixChecksums recomputes the label, metadata area header and metadata
// text checksums of a PV image in place, where their fields lie inside it.
func fixChecksums(pv []byte) {
	for s := 0; s < 4 && (s+1)*512 <= len(pv); s++ {
		sec := pv[s*512 : (s+1)*512]
		if string(sec[:8]) != "LABELONE" {
			continue
		}
		// Only the first metadata area of a standard layout (pv_header at 32,
		// one data area): enough to steer the fuzzer.
		mda := binary.LittleEndian.Uint64(sec[104:])
		if mda > 0 && mda+512 <= uint64(len(pv)) {
			h := pv[mda : mda+512]
			off, size := binary.LittleEndian.Uint64(h[40:]), binary.LittleEndian.Uint64(h[48:])
			if off+size <= uint64(len(pv))-mda && off+size >= off {
				binary.LittleEndian.PutUint32(h[56:], CRC(pv[mda+off:mda+off+size]))
			}
			binary.LittleEndian.PutUint32(h[0:], CRC(h[4:]))
		}
		binary.LittleEndian.PutUint32(sec[16:], CRC(sec[20:]))
		return
	}
}

const miniVG = `vg0 {
id = "Gw7bkk-SQQj-YZ0y-BUCq-pIYe-L5fR-jLxEXG"
seqno = 1
extent_size = 8
physical_volumes {
pv0 {
id = "097Rdl-96PM-X3WG-Hp1Z-Q2Qp-Lvgh-6gb79j"
pe_start = 16
pe_count = 2
}
}
logical_volumes {
a {
id = "tr2u6x-zVKW-1HYl-y4t8-uzuQ-ient-OjBN4c"
status = ["READ", "WRITE", "VISIBLE"]
segment_count = 2
segment1 {
start_extent = 0
extent_count = 1
type = "striped"
stripe_count = 1
stripes = ["pv0", 1]
}
segment2 {
start_extent = 1
extent_count = 1
type = "striped"
stripe_count = 1
stripes = ["pv0", 0]
}
}
}
}
`

// TestMiniVG checks the fuzz seed maps as written: extent 1 then 0.
func TestMiniVG(t *testing.T) {
	pv := buildPVSized([]byte(miniVG), 512, 4096, 16384, 8192)
	p, err := ReadPV(bytes.NewReader(pv), int64(len(pv)))
	if err != nil {
		t.Fatal(err)
	}
	g := Assemble([]*PV{p}, []int64{int64(len(pv))})
	if len(g) != 1 || g[0].Err != nil {
		t.Fatalf("groups %+v", g)
	}
	pieces, err := g[0].VG.Linear(&g[0].VG.LVs[0])
	if err != nil || len(pieces) != 2 || pieces[0].PVOff != 12288 || pieces[1].PVOff != 8192 || pieces[1].LVOff != 4096 {
		t.Errorf("pieces %+v, %v", pieces, err)
	}
	if u := g[0].VG.Unallocated(0); len(u) != 0 {
		t.Errorf("unallocated %+v", u)
	}
}
