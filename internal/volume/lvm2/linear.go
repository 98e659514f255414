package lvm2

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// Piece is a run of a linear LV: Len bytes of the LV starting at LVOff are
// stored at PVOff on the VG's PV number PV (an index into VG.PVs).
type Piece struct {
	PV    int
	LVOff int64
	PVOff int64
	Len   int64
}

// pvIndex returns the index in vg.PVs of the PV the metadata calls key.
func (vg *VG) pvIndex(key string) int {
	return slices.IndexFunc(vg.PVs, func(p PVRef) bool { return p.Key == key })
}

// lvByName returns the LV called name, or nil.
func (vg *VG) lvByName(name string) *LV {
	for i := range vg.LVs {
		if vg.LVs[i].Name == name {
			return &vg.LVs[i]
		}
	}
	return nil
}

// segmentFeature names the LVM2 feature a non-linear segment type uses.
func segmentFeature(t string) string {
	switch {
	case t == "thin-pool" || t == "thin":
		return "thin provisioning (" + t + ")"
	case strings.HasPrefix(t, "raid") || t == "mirror":
		return "RAID/mirror (" + t + ")"
	case t == "snapshot":
		return "snapshot"
	case strings.Contains(t, "cache"):
		return "cache (" + t + ")"
	case strings.HasPrefix(t, "vdo"):
		return "VDO (" + t + ")"
	case t == "integrity":
		return "integrity"
	case t == "error" || t == "zero":
		return "a virtual " + t + " segment"
	}
	return "segment type " + t
}

// Refusal explains why the LV cannot be mapped as a plain linear volume,
// or returns nil. It names the VG, the LV and the feature.
func (vg *VG) Refusal(lv *LV) error {
	refuse := func(format string, a ...any) error {
		return fmt.Errorf("LVM2 LV %s/%s: %s: not supported (only linear LVs are): %w",
			vg.Name, lv.Name, fmt.Sprintf(format, a...), ErrUnsupported)
	}
	if len(lv.Segments) == 0 {
		return refuse("no segments")
	}
	// Snapshots name their origin and COW store from a hidden snapshot
	// LV: writing either behind the kernel's back breaks the snapshot.
	if role := vg.snapshotRole(lv.Name); role != "" {
		return refuse("snapshot %s", role)
	}
	for _, st := range lv.Status {
		switch st {
		case "PVMOVE", "LOCKED":
			return refuse("status %s (a pvmove is in progress; finish it with pvmove first)", st)
		}
	}
	for i, s := range lv.Segments {
		if s.Type != "striped" {
			return refuse("segment %d uses %s", i+1, segmentFeature(s.Type))
		}
		if s.StripeCount != 1 || len(s.Areas) != 1 {
			return refuse("segment %d is striped across %d areas", i+1, max(s.StripeCount, uint64(len(s.Areas))))
		}
		a := s.Areas[0]
		if vg.pvIndex(a.Name) < 0 {
			if vg.lvByName(a.Name) != nil {
				return refuse("segment %d is stacked on LV %s", i+1, a.Name)
			}
			return refuse("segment %d names unknown PV %q", i+1, a.Name)
		}
	}
	return nil
}

// snapshotRole returns "origin" or "COW store" when a snapshot segment
// names the LV, else "".
func (vg *VG) snapshotRole(name string) string {
	for _, other := range vg.LVs {
		for _, s := range other.Segments {
			if s.Type != "snapshot" {
				continue
			}
			switch name {
			case s.Origin:
				return "origin (has a snapshot " + other.Name + ")"
			case s.COWStore:
				return "COW store (the snapshot " + other.Name + ")"
			}
		}
	}
	return ""
}

// Linear maps a linear LV to its pieces, in LV order, merging runs that
// are contiguous on the same PV. It refuses other LVs (see Refusal) and
// extents beyond a PV's pe_count.
func (vg *VG) Linear(lv *LV) ([]Piece, error) {
	if err := vg.Refusal(lv); err != nil {
		return nil, err
	}
	ext := vg.ExtentSize.Bytes()
	var out []Piece
	for i, s := range lv.Segments {
		a := s.Areas[0]
		p := vg.pvIndex(a.Name)
		pv := vg.PVs[p]
		if a.Extent > pv.PECount || s.ExtentCount > pv.PECount-a.Extent {
			return nil, fmt.Errorf("LVM2 LV %s/%s: segment %d: extents [%d, +%d) beyond the %d of PV %s: %w",
				vg.Name, lv.Name, i+1, a.Extent, s.ExtentCount, pv.PECount, pv.UUID, ErrCorrupt)
		}
		piece := Piece{PV: p, LVOff: int64(s.StartExtent) * ext, PVOff: pv.PEStart.Bytes() + int64(a.Extent)*ext, Len: int64(s.ExtentCount) * ext}
		if n := len(out); n > 0 && out[n-1].PV == p && out[n-1].PVOff+out[n-1].Len == piece.PVOff {
			out[n-1].Len += piece.Len
			continue
		}
		out = append(out, piece)
	}
	return out, nil
}

// Unallocated returns the PV-relative byte ranges of the data area of PV
// number pv that no segment of any LV uses (sorted). Every area naming the
// PV counts, whatever the segment type, and counts for the whole segment
// length: a thin pool's or a RAID's extents are never reported free.
func (vg *VG) Unallocated(pv int) []image.Range {
	p := vg.PVs[pv]
	type span struct{ start, end uint64 }
	var used []span
	for _, lv := range vg.LVs {
		for _, s := range lv.Segments {
			for _, a := range s.Areas {
				if a.Name == p.Key {
					used = append(used, span{a.Extent, a.Extent + s.ExtentCount})
				}
			}
		}
	}
	slices.SortFunc(used, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	ext := vg.ExtentSize.Bytes()
	var out []image.Range
	next := uint64(0)
	emit := func(end uint64) {
		end = min(end, p.PECount)
		if end > next {
			out = append(out, image.Range{Off: p.PEStart.Bytes() + int64(next)*ext, Len: int64(end-next) * ext})
		}
	}
	for _, u := range used {
		emit(u.start)
		next = max(next, u.end)
	}
	emit(p.PECount)
	return out
}
