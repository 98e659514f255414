package volume

import (
	"errors"
	"fmt"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2"
)

// TableLVM2 is Volume.Table for an LVM2 logical volume.
const TableLVM2 = "lvm2"

// RefusedLV is a logical volume List found but does not expose: thin,
// RAID, mirror, striped, snapshot, cache, VDO or integrity LVs.
type RefusedLV struct {
	VG, LV string
	Err    error // names the VG, the LV and the feature; wraps ErrUnsupported
}

// addLVM2 reads every LVM2 PV among vols, assembles their volume groups
// and appends one Volume per linear, visible LV. Problems are recorded on
// the PV volumes (Problem, Refused), never fatal for the disk: a guest
// whose root is on a plain partition must still open.
func addLVM2(disk image.Image, name string, vols []Volume) []Volume {
	var pvs []*lvm2.PV
	var sizes []int64
	var at []int // at[i]: index in vols of pvs[i]
	for i := range vols {
		v := &vols[i]
		if Identify(v.Image, v.Size) != ContentLVM2 {
			continue
		}
		pv, err := lvm2.ReadPV(v.Image, v.Size)
		if err != nil {
			v.Problem = fmt.Errorf("%s: LVM2 physical volume on partition %d: not supported yet (cannot read it: %w): %w",
				v.Name, v.Index, err, ErrUnsupported)
			continue
		}
		v.PVUUID = pv.UUID()
		for _, p := range pv.Problems {
			v.Warning = strings.TrimPrefix(v.Warning+"; "+p.Error(), "; ")
		}
		pvs, sizes, at = append(pvs, pv), append(sizes, v.Size), append(at, i)
	}
	if len(pvs) == 0 {
		return vols
	}
	var lvs []Volume
	for _, g := range lvm2.Assemble(pvs, sizes) {
		if g.Err != nil {
			for _, i := range g.Inputs {
				vols[at[i]].Problem = fmt.Errorf("%s: %w", vols[at[i]].Name, wrapLVM2(g.Err))
				if g.VG != nil {
					vols[at[i]].VG = g.VG.Name
				}
			}
			continue
		}
		vg := g.VG
		for k, i := range g.Members {
			pvVol := &vols[at[i]]
			pvVol.VG = vg.Name
			for _, r := range vg.Unallocated(k) {
				pvVol.Unallocated = append(pvVol.Unallocated, image.Range{Off: pvVol.Offset + r.Off, Len: r.Len})
			}
		}
		first := &vols[at[g.Members[0]]]
		for li := range vg.LVs {
			lv := &vg.LVs[li]
			if !lv.Visible() {
				continue // internals of pools, mirrors, RAIDs, snapshots
			}
			v, err := lvVolume(disk, name, vg, lv, func(pv int) int64 { return vols[at[g.Members[pv]]].Offset })
			if err != nil {
				first.Refused = append(first.Refused, RefusedLV{VG: vg.Name, LV: lv.Name, Err: wrapLVM2(err)})
				continue
			}
			lvs = append(lvs, v)
		}
	}
	return append(vols, lvs...)
}

// lvVolume maps a linear LV onto the disk. pvOffset gives the disk offset
// of the volume holding the VG's PV number pv.
func lvVolume(disk image.Image, name string, vg *lvm2.VG, lv *lvm2.LV, pvOffset func(pv int) int64) (Volume, error) {
	pieces, err := vg.Linear(lv)
	if err != nil {
		return Volume{}, err
	}
	v := Volume{
		Index:  -1,
		Table:  TableLVM2,
		Name:   fmt.Sprintf("%s LV %s/%s", name, vg.Name, lv.Name),
		VG:     vg.Name,
		LV:     lv.Name,
		VGUUID: vg.UUID,
		LVUUID: lv.UUID,
	}
	for _, p := range pieces {
		v.Segments = append(v.Segments, image.Range{Off: pvOffset(p.PV) + p.PVOff, Len: p.Len})
		v.Size += p.Len
	}
	if len(v.Segments) == 1 {
		v.Offset = v.Segments[0].Off
		v.Image, err = image.NewSection(disk, v.Offset, v.Size)
	} else {
		v.Offset = -1
		v.Image, err = NewConcat(disk, v.Segments)
	}
	if err != nil {
		return Volume{}, fmt.Errorf("%s: %w", v.Name, err)
	}
	return v, nil
}

// wrapLVM2 makes lvm2's sentinels match this package's too.
func wrapLVM2(err error) error {
	switch {
	case errors.Is(err, lvm2.ErrUnsupported):
		return &lvm2Error{err: err, also: ErrUnsupported}
	case errors.Is(err, lvm2.ErrCorrupt):
		return &lvm2Error{err: err, also: ErrCorrupt}
	}
	return err
}

// lvm2Error reads as the lvm2 error and matches a volume sentinel as well.
type lvm2Error struct{ err, also error }

func (e *lvm2Error) Error() string   { return e.err.Error() }
func (e *lvm2Error) Unwrap() []error { return []error{e.err, e.also} }
