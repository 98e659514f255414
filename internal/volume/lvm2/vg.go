package lvm2

import (
	"fmt"
	"slices"
	"strings"
)

// VG is a volume group as its text metadata describes it
// (lib/format_text/import_vsn1.c).
type VG struct {
	Name       string
	UUID       string // with dashes
	Seqno      int64
	Status     []string
	ExtentSize Sectors
	PVs        []PVRef // physical_volumes, in metadata order
	LVs        []LV    // logical_volumes, in metadata order (hidden sub-LVs included)
}

// PVRef is one entry of physical_volumes.
type PVRef struct {
	Key     string // the metadata's name for it: "pv0"
	UUID    string // with dashes
	Device  string // the device path hint LVM last saw it on
	PEStart Sectors
	PECount uint64
	DevSize Sectors
}

// LV is one entry of logical_volumes.
type LV struct {
	Name     string
	UUID     string // with dashes
	Status   []string
	Segments []Segment
}

// Segment is one segmentN section of an LV.
type Segment struct {
	StartExtent uint64
	ExtentCount uint64
	Type        string // "striped", "thin-pool", "raid1", ...
	StripeCount uint64 // striped only
	Origin      string // snapshot: the origin LV
	COWStore    string // snapshot: the LV holding the copied-on-write chunks
	// Areas are the (name, extent) pairs of every array in the segment
	// (stripes, mirrors, raids...): a PV key and the PV extent for PV
	// areas, an LV name and the LV extent for LV areas.
	Areas []Area
}

// Area is one (name, extent) pair of a segment's area array.
type Area struct {
	Name   string
	Extent uint64
}

// Caps on what metadata can declare.
const (
	maxPVs      = 256
	maxLVs      = 4096
	maxSegments = 4096 // per LV
)

// Visible reports whether the LV is a user-visible one (status VISIBLE);
// hidden ones are the internals of pools, mirrors and RAIDs.
func (lv *LV) Visible() bool { return slices.Contains(lv.Status, "VISIBLE") }

// Extents returns the LV's size in extents.
func (lv *LV) Extents() uint64 {
	var n uint64
	for _, s := range lv.Segments {
		n += s.ExtentCount
	}
	return n
}

// DecodeVG parses metadata text and decodes its volume group.
func DecodeVG(text []byte) (*VG, error) {
	root, err := ParseConfig(text)
	if err != nil {
		return nil, err
	}
	if c, ok := root.Values["contents"]; ok && (c.Kind != KindString || c.Str != "Text Format Volume Group") {
		return nil, fmt.Errorf("metadata contents %q: %w", c.Str, ErrUnsupported)
	}
	if v, ok := root.Values["version"]; ok && (v.Kind != KindInt || v.Int != 1) {
		return nil, fmt.Errorf("metadata version %v: %w", v.Int, ErrUnsupported)
	}
	if len(root.Sections) != 1 {
		return nil, fmt.Errorf("metadata holds %d volume groups, want 1: %w", len(root.Sections), ErrCorrupt)
	}
	return decodeVG(root.Sections[0])
}

func decodeVG(s *Section) (*VG, error) {
	vg := &VG{Name: s.Name}
	var err error
	if vg.UUID, err = uuidField(s, "id"); err != nil {
		return nil, fmt.Errorf("VG %s: %w", vg.Name, err)
	}
	if vg.Seqno, err = intField(s, "seqno", 0); err != nil {
		return nil, fmt.Errorf("VG %s: %w", vg.Name, err)
	}
	es, err := intField(s, "extent_size", 1)
	if err != nil {
		return nil, fmt.Errorf("VG %s: %w", vg.Name, err)
	}
	if es > 1<<32 { // 2 TiB extents: beyond anything LVM allows
		return nil, fmt.Errorf("VG %s: extent_size %d sectors: %w", vg.Name, es, ErrCorrupt)
	}
	vg.ExtentSize = Sectors(es)
	vg.Status = stringsField(s, "status")
	if f, ok := s.Values["format"]; ok && (f.Kind != KindString || f.Str != "lvm2") {
		return nil, fmt.Errorf("VG %s: format %q: %w", vg.Name, f.Str, ErrUnsupported)
	}
	pvs := s.Sub("physical_volumes")
	if pvs == nil || len(pvs.Sections) == 0 {
		return nil, fmt.Errorf("VG %s: no physical_volumes: %w", vg.Name, ErrCorrupt)
	}
	if len(pvs.Sections) > maxPVs {
		return nil, fmt.Errorf("VG %s: %d PVs (limit %d): %w", vg.Name, len(pvs.Sections), maxPVs, ErrCorrupt)
	}
	for _, ps := range pvs.Sections {
		pv, err := decodePV(ps)
		if err != nil {
			return nil, fmt.Errorf("VG %s: PV %s: %w", vg.Name, ps.Name, err)
		}
		vg.PVs = append(vg.PVs, pv)
	}
	if lvs := s.Sub("logical_volumes"); lvs != nil {
		if len(lvs.Sections) > maxLVs {
			return nil, fmt.Errorf("VG %s: %d LVs (limit %d): %w", vg.Name, len(lvs.Sections), maxLVs, ErrCorrupt)
		}
		for _, ls := range lvs.Sections {
			lv, err := decodeLV(ls)
			if err != nil {
				return nil, fmt.Errorf("VG %s: LV %s: %w", vg.Name, ls.Name, err)
			}
			vg.LVs = append(vg.LVs, lv)
		}
	}
	return vg, nil
}

func decodePV(s *Section) (PVRef, error) {
	pv := PVRef{Key: s.Name}
	var err error
	if pv.UUID, err = uuidField(s, "id"); err != nil {
		return pv, err
	}
	if d, ok := s.Values["device"]; ok && d.Kind == KindString {
		pv.Device = d.Str
	}
	start, err := intField(s, "pe_start", 0)
	if err != nil {
		return pv, err
	}
	count, err := intField(s, "pe_count", 0)
	if err != nil {
		return pv, err
	}
	pv.PEStart, pv.PECount = Sectors(start), uint64(count)
	if ds, ok := s.Values["dev_size"]; ok && ds.Kind == KindInt && ds.Int >= 0 {
		pv.DevSize = Sectors(ds.Int)
	}
	return pv, nil
}

func decodeLV(s *Section) (LV, error) {
	lv := LV{Name: s.Name, Status: stringsField(s, "status")}
	var err error
	if lv.UUID, err = uuidField(s, "id"); err != nil {
		return lv, err
	}
	n, err := intField(s, "segment_count", 1)
	if err != nil {
		return lv, err
	}
	if n > maxSegments {
		return lv, fmt.Errorf("%d segments (limit %d): %w", n, maxSegments, ErrCorrupt)
	}
	var next uint64
	for i := int64(1); i <= n; i++ {
		ss := s.Sub(fmt.Sprintf("segment%d", i))
		if ss == nil {
			return lv, fmt.Errorf("segment%d missing (segment_count %d): %w", i, n, ErrCorrupt)
		}
		seg, err := decodeSegment(ss)
		if err != nil {
			return lv, fmt.Errorf("segment%d: %w", i, err)
		}
		if seg.StartExtent != next {
			return lv, fmt.Errorf("segment%d starts at extent %d, want %d: %w", i, seg.StartExtent, next, ErrCorrupt)
		}
		next += seg.ExtentCount
		lv.Segments = append(lv.Segments, seg)
	}
	return lv, nil
}

func decodeSegment(s *Section) (Segment, error) {
	var seg Segment
	start, err := intField(s, "start_extent", 0)
	if err != nil {
		return seg, err
	}
	count, err := intField(s, "extent_count", 1)
	if err != nil {
		return seg, err
	}
	if start > 1<<40 || count > 1<<40 {
		return seg, fmt.Errorf("extents [%d, +%d): %w", start, count, ErrCorrupt)
	}
	seg.StartExtent, seg.ExtentCount = uint64(start), uint64(count)
	t, ok := s.Values["type"]
	if !ok || t.Kind != KindString || t.Str == "" {
		return seg, fmt.Errorf("no type: %w", ErrCorrupt)
	}
	seg.Type = t.Str
	if sc, ok := s.Values["stripe_count"]; ok && sc.Kind == KindInt && sc.Int > 0 {
		seg.StripeCount = uint64(sc.Int)
	}
	if o, ok := s.Values["origin"]; ok && o.Kind == KindString {
		seg.Origin = o.Str
	}
	if c, ok := s.Values["cow_store"]; ok && c.Kind == KindString {
		seg.COWStore = c.Str
	}
	for _, k := range s.Keys {
		v := s.Values[k]
		if v.Kind != KindArray || len(v.Array) < 2 || v.Array[0].Kind != KindString || v.Array[1].Kind != KindInt {
			continue // status = [...], tags... : not area lists
		}
		if len(v.Array)%2 != 0 {
			return seg, fmt.Errorf("%s: odd number of elements in an area list: %w", k, ErrCorrupt)
		}
		for i := 0; i < len(v.Array); i += 2 {
			n, e := v.Array[i], v.Array[i+1]
			if n.Kind != KindString || e.Kind != KindInt || e.Int < 0 {
				return seg, fmt.Errorf("%s: area %d is not (name, extent): %w", k, i/2, ErrCorrupt)
			}
			seg.Areas = append(seg.Areas, Area{Name: n.Str, Extent: uint64(e.Int)})
		}
	}
	return seg, nil
}

func intField(s *Section, key string, minVal int64) (int64, error) {
	v, ok := s.Values[key]
	if !ok {
		return 0, fmt.Errorf("no %s: %w", key, ErrCorrupt)
	}
	if v.Kind != KindInt || v.Int < minVal {
		return 0, fmt.Errorf("%s is not an integer >= %d: %w", key, minVal, ErrCorrupt)
	}
	return v.Int, nil
}

func uuidField(s *Section, key string) (string, error) {
	v, ok := s.Values[key]
	if !ok || v.Kind != KindString {
		return "", fmt.Errorf("no %s: %w", key, ErrCorrupt)
	}
	raw := strings.ReplaceAll(v.Str, "-", "")
	if len(raw) != 32 {
		return "", fmt.Errorf("%s %q is not an LVM UUID: %w", key, v.Str, ErrCorrupt)
	}
	for i := 0; i < len(raw); i++ {
		if !uuidChar(raw[i]) {
			return "", fmt.Errorf("%s %q is not an LVM UUID: %w", key, v.Str, ErrCorrupt)
		}
	}
	return FormatUUID([]byte(raw)), nil
}

func stringsField(s *Section, key string) []string {
	v := s.Values[key]
	var out []string
	for _, e := range v.Array {
		if e.Kind == KindString {
			out = append(out, e.Str)
		}
	}
	return out
}
