package lvm2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestStructSizes(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{{LabelHeader{}, 32}, {PVHeader{}, 40}, {DiskLocn{}, 16}, {MDAHeader{}, 40}, {RawLocn{}, 24}} {
		if got := binary.Size(c.v); got != c.want {
			t.Errorf("%T: %d bytes, want %d", c.v, got, c.want)
		}
	}
}

const testPVUUID = "097Rdl96PMX3WGHp1ZQ2QpLvgh6gb79j"

// buildPV lays out a PV the way pvcreate does (label in sector 1, one
// metadata area at 4 KiB, data from 1 MiB) holding text at ringOff of the
// metadata area's ring buffer, wrapping if it must.
func buildPV(text []byte, ringOff, mdaSize uint64) []byte {
	return buildPVSized(text, ringOff, mdaSize, 2<<20, 1<<20)
}

// buildPVSized is buildPV with the PV size and data area offset chosen
// (small PVs for fuzz seeds).
func buildPVSized(text []byte, ringOff, mdaSize uint64, size int, dataOff uint64) []byte {
	pv := make([]byte, size)
	sec := pv[512:1024]
	copy(sec, "LABELONE")
	binary.LittleEndian.PutUint64(sec[8:], 1)
	binary.LittleEndian.PutUint32(sec[20:], 32)
	copy(sec[24:], "LVM2 001")
	copy(sec[32:], testPVUUID)
	binary.LittleEndian.PutUint64(sec[64:], uint64(len(pv)))
	binary.LittleEndian.PutUint64(sec[72:], dataOff) // data area, size 0
	binary.LittleEndian.PutUint64(sec[104:], 4096)   // metadata area
	binary.LittleEndian.PutUint64(sec[112:], mdaSize)
	binary.LittleEndian.PutUint32(sec[16:], CRC(sec[20:]))
	mda := pv[4096 : 4096+mdaSize]
	copy(mda[4:], mdaMagic[:])
	binary.LittleEndian.PutUint32(mda[20:], 1)
	binary.LittleEndian.PutUint64(mda[24:], 4096)
	binary.LittleEndian.PutUint64(mda[32:], mdaSize)
	binary.LittleEndian.PutUint64(mda[40:], ringOff)
	binary.LittleEndian.PutUint64(mda[48:], uint64(len(text)))
	binary.LittleEndian.PutUint32(mda[56:], CRC(text))
	binary.LittleEndian.PutUint32(mda[0:], CRC(mda[4:512]))
	n := copy(mda[ringOff:], text)
	copy(mda[512:], text[n:])
	return pv
}

func sampleText(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/vg0.txt")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, 0)
}

func TestReadPVWrappedRing(t *testing.T) {
	text := sampleText(t)
	for _, ringOff := range []uint64{512, 8192, 16384 - 100} {
		pv := buildPV(text, ringOff, 16384)
		p, err := ReadPV(bytes.NewReader(pv), int64(len(pv)))
		if err != nil {
			t.Fatalf("ring offset %d: %v", ringOff, err)
		}
		if p.UUID() != "097Rdl-96PM-X3WG-Hp1Z-Q2Qp-Lvgh-6gb79j" || !bytes.Equal(append(p.Metadata, 0), text) {
			t.Errorf("ring offset %d: UUID %s, %d bytes of text", ringOff, p.UUID(), len(p.Metadata))
		}
		if p.Label.Sector != 1 || len(p.Label.DataAreas) != 1 || p.Label.DataAreas[0].Offset != 1<<20 {
			t.Errorf("label = %+v", p.Label)
		}
	}
}

func TestReadPVCorruption(t *testing.T) {
	text := sampleText(t)
	for _, c := range []struct {
		name string
		off  int
		want error
	}{
		{"label checksum", 512 + 16, ErrCorrupt},
		{"pv_header", 512 + 40, ErrCorrupt},
		{"label sector_xl", 512 + 8, ErrCorrupt},
		{"label type", 512 + 27, ErrUnsupported},
		{"mda magic", 4096 + 5, ErrCorrupt},
		{"mda checksum", 4096 + 1, ErrCorrupt},
		{"raw_locn size", 4096 + 53, ErrCorrupt},
		{"metadata text", 4096 + 8192 + 10, ErrCorrupt},
	} {
		pv := buildPV(text, 8192, 16384)
		pv[c.off] ^= 0x40
		_, err := ReadPV(bytes.NewReader(pv), int64(len(pv)))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := ReadPV(bytes.NewReader(make([]byte, 4096)), 4096); !errors.Is(err, ErrNotPV) {
		t.Errorf("zeros: %v", err)
	}
	// A PV whose metadata area is far beyond the device is refused before any read.
	pv := buildPV(text, 8192, 16384)
	if _, err := ReadPV(bytes.NewReader(pv[:8192]), 8192); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated PV: %v", err)
	}
}

func TestDecodeSample(t *testing.T) {
	vg, err := DecodeVG(sampleText(t)[:1770])
	if err != nil {
		t.Fatal(err)
	}
	if vg.Name != "vg0" || vg.UUID != "Gw7bkk-SQQj-YZ0y-BUCq-pIYe-L5fR-jLxEXG" || vg.Seqno != 7 || vg.ExtentSize != 8192 ||
		len(vg.PVs) != 1 || vg.PVs[0].PEStart != 2048 || vg.PVs[0].PECount != 37 || len(vg.LVs) != 3 {
		t.Fatalf("vg = %+v", vg)
	}
	root, err := vg.Linear(&vg.LVs[0])
	want := []Piece{{0, 0, 1 << 20, 40 << 20}, {0, 40 << 20, 1<<20 + 15*4<<20, 12 << 20}}
	if err != nil || len(root) != 2 || root[0] != want[0] || root[1] != want[1] {
		t.Errorf("root = %+v, %v; want %+v", root, err, want)
	}
	free := vg.Unallocated(0)
	if len(free) != 1 || free[0].Off != 1<<20+20*4<<20 || free[0].Len != 17*4<<20 {
		t.Errorf("unallocated = %+v", free)
	}
}

// edit returns the sample text with the segment of LV home replaced.
func edit(t *testing.T, seg string, extra string) []byte {
	t.Helper()
	s := string(sampleText(t)[:1770])
	const homeSeg = "type = \"striped\"\nstripe_count = 1\n\nstripes = [\n\"pv0\", 10\n]"
	i := strings.Index(s, "home {")
	j := strings.Index(s[i:], homeSeg)
	if i < 0 || j < 0 {
		t.Fatal("sample text changed")
	}
	s = s[:i+j] + seg + s[i+j+len(homeSeg):]
	if extra != "" {
		k := strings.Index(s, "logical_volumes {") + len("logical_volumes {")
		s = s[:k] + "\n" + extra + s[k:]
	}
	return []byte(s)
}

// TestRefusals: every non-linear layout is refused, naming the VG, the LV
// and the feature; its extents are never reported free.
func TestRefusals(t *testing.T) {
	hidden := `home_tdata {
id = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000"
status = ["READ", "WRITE"]
segment_count = 1
segment1 {
start_extent = 0
extent_count = 5
type = "striped"
stripe_count = 1
stripes = ["pv0", 30]
}
}`
	for _, c := range []struct {
		name, seg, extra, lv, feature string
	}{
		{"thin pool", `type = "thin-pool"` + "\nmetadata = \"home_tmeta\"\npool = \"home_tdata\"\ntransaction_id = 0\nchunk_size = 128", hidden, "home", "thin provisioning (thin-pool)"},
		{"thin", `type = "thin"` + "\nthin_pool = \"pool\"\ntransaction_id = 0\ndevice_id = 1", "", "home", "thin provisioning (thin)"},
		{"raid1", `type = "raid1"` + "\ndevice_count = 2\nregion_size = 1024\nraids = [\"home_rmeta_0\", \"home_rimage_0\", \"home_rmeta_1\", \"home_rimage_1\"]", "", "home", "RAID/mirror (raid1)"},
		{"mirror", `type = "mirror"` + "\nmirror_count = 2\nmirrors = [\"home_mimage_0\", 0, \"home_mimage_1\", 0]", "", "home", "RAID/mirror (mirror)"},
		{"striped", `type = "striped"` + "\nstripe_count = 2\nstripe_size = 128\nstripes = [\"pv0\", 10, \"pv0\", 30]", "", "home", "striped across 2 areas"},
		{"cache", `type = "cache"` + "\ncache_pool = \"cpool\"\norigin = \"home_corig\"", "", "home", "cache (cache)"},
		{"vdo", `type = "vdo"` + "\nvdo_pool = \"vpool\"\nvdo_offset = 0", "", "home", "VDO (vdo)"},
		{"integrity", `type = "integrity"` + "\norigin = \"home_iorig\"\ndata_sectors = 1000", "", "home", "integrity"},
		{"stacked", `type = "striped"` + "\nstripe_count = 1\nstripes = [\"root\", 0]", "", "home", "stacked on LV root"},
		{"snapshot origin", `type = "striped"` + "\nstripe_count = 1\nstripes = [\"pv0\", 10]",
			"snapshot0 {\nid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-000001\"\nstatus = [\"READ\"]\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 5\ntype = \"snapshot\"\nchunk_size = 8\norigin = \"home\"\ncow_store = \"my-lv\"\n}\n}",
			"home", "snapshot origin"},
		{"snapshot cow", `type = "striped"` + "\nstripe_count = 1\nstripes = [\"pv0\", 10]",
			"snapshot0 {\nid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-000001\"\nstatus = [\"READ\"]\nsegment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 5\ntype = \"snapshot\"\nchunk_size = 8\norigin = \"home\"\ncow_store = \"my-lv\"\n}\n}",
			"my-lv", "snapshot COW store"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vg, err := DecodeVG(edit(t, c.seg, c.extra))
			if err != nil {
				t.Fatal(err)
			}
			lv := vg.lvByName(c.lv)
			_, err = vg.Linear(lv)
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "LV vg0/"+c.lv+": ") || !strings.Contains(err.Error(), c.feature) {
				t.Errorf("err = %v, want vg0/%s and %q", err, c.lv, c.feature)
			}
			if vg.Refusal(vg.lvByName("root")) != nil {
				t.Error("root must stay linear")
			}
			// Extents 10-14 (home's old place) are free only if nothing names them now.
			for _, r := range vg.Unallocated(0) {
				if c.name == "thin pool" && r.Off <= 1<<20+30*4<<20 && r.End() > 1<<20+30*4<<20 {
					t.Errorf("thin pool data extents reported free: %+v", r)
				}
				if c.name == "striped" && r.Off <= 1<<20+30*4<<20 && r.End() > 1<<20+30*4<<20 {
					t.Errorf("second stripe reported free: %+v", r)
				}
			}
		})
	}
}

func TestParseConfigLimits(t *testing.T) {
	deep := strings.Repeat("a {\n", 20) + strings.Repeat("}\n", 20)
	wide := "a = [" + strings.Repeat("1, ", 300000) + "1]\n"
	for name, text := range map[string]string{
		"deep":           deep,
		"wide":           wide,
		"unclosed":       "vg {\na = 1\n",
		"stray brace":    "}\n",
		"dup key":        "a = 1\na = 2\n",
		"dup section":    "a {\n}\na {\n}\n",
		"bad string":     "a = \"x\n",
		"nested array":   "a = [[1]]\n",
		"no value":       "a = \n",
		"huge number":    "a = 99999999999999999999\n",
		"missing comma":  "a = [1 2]\n",
		"garbage":        "a = 1 ; b\n",
		"bad identifier": "\"x\" = 1\n",
	} {
		if _, err := ParseConfig([]byte(text)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	s, err := ParseConfig([]byte("# c\nvg {\n  k = \"q\\\"x\" # tail\n  f = 1.5\n  n = -3\n  e = []\n  sub { }\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	vg := s.Sub("vg")
	if vg == nil || vg.Values["k"].Str != `q"x` || vg.Values["f"].Str != "1.5" || vg.Values["n"].Int != -3 ||
		vg.Values["e"].Kind != KindArray || len(vg.Values["e"].Array) != 0 || vg.Sub("sub") == nil {
		t.Errorf("parsed %+v", vg)
	}
}

// TestAssembleRefusesUnsafeLayouts: metadata that would make an LV write
// over another LV or over LVM's own label or metadata is refused.
func TestAssembleRefusesUnsafeLayouts(t *testing.T) {
	for name, c := range map[string]struct{ old, new, want string }{
		"shared extent":        {`stripes = ["pv0", 1]`, `stripes = ["pv0", 0]`, "share extent 0"},
		"pe_start on label":    {"pe_start = 16", "pe_start = 1", "overlaps the label"},
		"pe_start on metadata": {"pe_start = 16", "pe_start = 8", "overlap the metadata area"},
		"beyond the PV":        {"pe_count = 2", "pe_count = 3", "do not fit"},
		"missing PV":           {"physical_volumes {\n", "physical_volumes {\npv1 {\nid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000\"\ndevice = \"/dev/vdb\"\npe_start = 16\npe_count = 1\n}\n", "PV aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000 (pv1, last seen as /dev/vdb) missing"},
	} {
		text := strings.Replace(miniVG, c.old, c.new, 1)
		pv := buildPVSized([]byte(text), 512, 4096, 16384, 8192)
		p, err := ReadPV(bytes.NewReader(pv), int64(len(pv)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g := Assemble([]*PV{p}, []int64{int64(len(pv))})
		if len(g) != 1 || g[0].Err == nil || !strings.Contains(g[0].Err.Error(), c.want) || !strings.Contains(g[0].Err.Error(), "VG vg0") {
			t.Errorf("%s: groups %+v, want an error with %q", name, g, c.want)
		}
	}
}
