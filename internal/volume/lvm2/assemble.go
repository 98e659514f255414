package lvm2

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Group is one volume group assembled from the PVs of a disk.
type Group struct {
	// VG is the newest metadata (highest seqno) any member holds; nil
	// when a PV's metadata could not be decoded.
	VG *VG
	// Members maps each VG.PVs[i] to its index in Assemble's input; -1
	// when missing (then Err is set).
	Members []int
	// Err refuses the whole VG: a missing PV, a PV too small for its
	// extents, undecodable metadata. It names the VG and the PV.
	Err error
	// Inputs lists the input indexes of every PV of this group that was
	// found (for a VG refused before Members is known).
	Inputs []int
}

// Assemble groups PVs into volume groups. sizes[i] is the size in bytes of
// the volume holding pvs[i]. PVs with no metadata that no VG names (orphan
// PVs) belong to no group.
func Assemble(pvs []*PV, sizes []int64) []Group {
	var groups []Group
	byUUID := map[string]int{} // VG UUID -> index in groups
	for i, pv := range pvs {
		if pv.Metadata == nil {
			continue
		}
		vg, err := DecodeVG(pv.Metadata)
		if err != nil {
			groups = append(groups, Group{Err: fmt.Errorf("LVM2 PV %s: metadata: %w", pv.UUID(), err), Inputs: []int{i}})
			continue
		}
		g, ok := byUUID[vg.UUID]
		if !ok {
			byUUID[vg.UUID] = len(groups)
			groups = append(groups, Group{VG: vg})
			continue
		}
		if vg.Seqno > groups[g].VG.Seqno {
			groups[g].VG = vg
		}
	}
	for gi := range groups {
		g := &groups[gi]
		if g.VG == nil {
			continue
		}
		g.Err = g.members(pvs, sizes)
	}
	return groups
}

func (g *Group) members(pvs []*PV, sizes []int64) error {
	vg := g.VG
	g.Members = make([]int, len(vg.PVs))
	var missing []string
	for k, ref := range vg.PVs {
		g.Members[k] = -1
		for i, pv := range pvs {
			if pv.UUID() != ref.UUID {
				continue
			}
			if g.Members[k] >= 0 {
				return fmt.Errorf("LVM2 VG %s: PV %s appears twice on the disk (a cloned PV?): %w", vg.Name, ref.UUID, ErrCorrupt)
			}
			g.Members[k] = i
			g.Inputs = append(g.Inputs, i)
		}
		if g.Members[k] < 0 {
			hint := ""
			if ref.Device != "" {
				hint = ", last seen as " + ref.Device
			}
			missing = append(missing, fmt.Sprintf("%s (%s%s)", ref.UUID, ref.Key, hint))
			continue
		}
		if err := checkPVFits(vg, ref, pvs[g.Members[k]].Label, sizes[g.Members[k]]); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("LVM2 VG %s: PV %s missing from this disk (volume groups spanning several disks are not supported; merge the disks or move the VG onto one): %w",
			vg.Name, strings.Join(missing, ", "), ErrUnsupported)
	}
	return checkNoSharedExtents(vg)
}

// checkNoSharedExtents refuses metadata in which two segment areas use the
// same PV extent: writing one LV would overwrite the other.
func checkNoSharedExtents(vg *VG) error {
	type use struct {
		start, end uint64
		lv         string
	}
	byPV := map[string][]use{}
	for _, lv := range vg.LVs {
		for _, s := range lv.Segments {
			n := s.ExtentCount
			if s.Type == "striped" && s.StripeCount > 1 {
				n = s.ExtentCount / s.StripeCount
			}
			for _, a := range s.Areas {
				if vg.pvIndex(a.Name) >= 0 {
					byPV[a.Name] = append(byPV[a.Name], use{a.Extent, a.Extent + n, lv.Name})
				}
			}
		}
	}
	for pv, us := range byPV {
		slices.SortFunc(us, func(a, b use) int { return cmp.Compare(a.start, b.start) })
		for i := 1; i < len(us); i++ {
			if us[i].start < us[i-1].end {
				return fmt.Errorf("LVM2 VG %s: LVs %s and %s share extent %d of %s: %w", vg.Name, us[i-1].lv, us[i].lv, us[i].start, pv, ErrCorrupt)
			}
		}
	}
	return nil
}

// checkPVFits verifies the PV's extents lie inside the volume holding it,
// so that no later offset computation can overflow or leave the volume,
// and clear of the label and of every metadata area, so that no LV write
// can touch LVM's own metadata.
func checkPVFits(vg *VG, ref PVRef, l *Label, size int64) error {
	ext := vg.ExtentSize.Bytes()
	if ref.PEStart > Sectors(size/SectorSize) || ref.PECount > uint64((size-ref.PEStart.Bytes())/ext) {
		return fmt.Errorf("LVM2 VG %s: PV %s: %d extents of %d bytes from sector %d do not fit its %d-byte volume: %w",
			vg.Name, ref.UUID, ref.PECount, ext, ref.PEStart, size, ErrCorrupt)
	}
	start := ref.PEStart.Bytes()
	end := start + int64(ref.PECount)*ext
	if start < int64(l.Sector+1)*SectorSize {
		return fmt.Errorf("LVM2 VG %s: PV %s: pe_start %d overlaps the label: %w", vg.Name, ref.UUID, ref.PEStart, ErrCorrupt)
	}
	for _, m := range l.MetadataAreas {
		if int64(m.Offset) < end && int64(m.Offset+m.Size) > start {
			return fmt.Errorf("LVM2 VG %s: PV %s: extents [%d, %d) overlap the metadata area [%d, +%d): %w",
				vg.Name, ref.UUID, start, end, m.Offset, m.Size, ErrCorrupt)
		}
	}
	return nil
}
