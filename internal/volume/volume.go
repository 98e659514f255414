// Package volume finds the volumes of a disk: the partitions of a GPT or
// MBR (primary and logical) table, or the whole disk when it has none, and
// the linear logical volumes of the LVM2 volume groups on them (package
// lvm2). Each volume is itself an image.Image: a bounded window over the
// disk, or for an LV in several segments a Concat of windows.
//
// The parsers are written here, not taken from go-diskfs: they must verify
// both GPT copies and fall back to the backup, follow MBR extended chains,
// and bound every length read from a hostile disk before allocating.
package volume

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// Tables, as Volume.Table reports them.
const (
	TableGPT  = "gpt"
	TableMBR  = "mbr"
	TableNone = "none"
)

// Sentinels. Match with errors.Is.
var (
	// ErrCorrupt marks a partition table that cannot be trusted.
	ErrCorrupt = fmt.Errorf("corrupt partition table: %w", image.ErrCorrupt)
	// ErrUnsupported marks a recognised but unsupported layout.
	ErrUnsupported = fmt.Errorf("unsupported volume layout: %w", errors.ErrUnsupported)
)

// Volume is one partition, or the whole disk when it has no table.
type Volume struct {
	Index     int    // partition number as Linux numbers it (sdaN); 0 for the whole disk; -1 for an LV
	Table     string // TableGPT, TableMBR, TableNone or TableLVM2
	Name      string // human: `disk.qcow2 partition 2 (GPT "root")`, `disk.qcow2 LV vg0/root`
	Offset    int64  // bytes from the start of the disk; -1 for an LV in several segments (see Segments)
	Size      int64  // bytes
	PartUUID  string // GPT: unique GUID, lower case; MBR: "<disk signature>-<NN>" as blkid
	PartLabel string // GPT partition name
	TypeGUID  string // GPT partition type GUID, lower case
	MBRType   byte   // MBR partition type (0x83 Linux, 0x82 swap, 0x8e LVM...)
	Logical   bool   // MBR logical partition inside an extended one
	// Warning is set when the volume was found through a damaged table,
	// e.g. from the backup GPT because the primary is corrupt.
	Warning string
	Image   image.Image // the window [Offset, Offset+Size) of the disk, or the LV's Segments end to end

	// LVM2 logical volume (Table TableLVM2): VG and LV names and UUIDs
	// (with dashes, as lvs prints them) and Segments, the disk-absolute
	// byte ranges holding the LV, in LV order (one for a contiguous LV).
	// Use DiskRanges to translate LV-relative ranges.
	VG, LV         string
	VGUUID, LVUUID string
	Segments       []image.Range

	// LVM2 physical volume (a partition or whole disk holding one):
	// PVUUID; VG, its volume group ("" for an orphan PV); Unallocated, the
	// disk-absolute ranges of its extents no LV uses; Problem, why its VG
	// cannot be used at all (missing PV, corrupt metadata); Refused, the
	// LVs of its VG that are not exposed (on the VG's first PV only).
	PVUUID      string
	Unallocated []image.Range
	Problem     error
	Refused     []RefusedLV
}

// Well-known partition types used by the guest layer.
const (
	TypeGUIDLinuxSwap = "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"
	TypeGUIDLinuxLVM  = "e6d6d379-f507-44c2-a23c-238f2a3df928"
	TypeGUIDLUKS      = "ca7d7ccb-63ed-4c53-861c-1742536059cc"
	MBRTypeLinuxSwap  = 0x82
	MBRTypeLinuxLVM   = 0x8e
)

// List returns the volumes of disk, sorted by partition number, followed
// by the linear LVM2 logical volumes of the volume groups whose PVs are all
// on the disk. name (e.g. "disk.qcow2") prefixes every Volume.Name and
// error. LVM2 problems do not fail List: they are recorded on the PV's
// Volume (Problem, Refused).
func List(disk image.Image, name string) ([]Volume, error) {
	vols, err := listPartitions(disk, name)
	if err != nil {
		return nil, err
	}
	return addLVM2(disk, name, vols), nil
}

func listPartitions(disk image.Image, name string) ([]Volume, error) {
	if disk.Size() < 512 {
		return whole(disk, name)
	}
	m, err := readMBR(disk, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if m.Signature == [2]byte{0x55, 0xAA} && m.isProtective() {
		return listGPT(disk, name)
	}
	if !m.plausible() {
		// No MBR: a GPT without a protective MBR still counts (some tools
		// write only the GPT), else the disk is one volume.
		if hasGPTSignature(disk) {
			return listGPT(disk, name)
		}
		return whole(disk, name)
	}
	slots, err := mbrPartitions(disk, &m)
	if err != nil {
		return nil, fmt.Errorf("%s: MBR: %w", name, err)
	}
	vols := make([]Volume, 0, len(slots))
	for _, s := range slots {
		kind := "MBR"
		if s.logical {
			kind = "MBR logical"
		}
		v := Volume{
			Index:    s.index,
			Table:    TableMBR,
			Name:     fmt.Sprintf("%s partition %d (%s, type 0x%02x)", name, s.index, kind, s.typ),
			Offset:   s.start,
			Size:     s.size,
			PartUUID: fmt.Sprintf("%08x-%02x", m.DiskSignature, s.index),
			MBRType:  s.typ,
			Logical:  s.logical,
		}
		if v.Image, err = image.NewSection(disk, v.Offset, v.Size); err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		vols = append(vols, v)
	}
	if err := checkOverlap(vols); err != nil {
		return nil, fmt.Errorf("%s: MBR: %w", name, err)
	}
	return vols, nil
}

// checkOverlap refuses tables whose partitions share bytes: writing one
// would corrupt the other.
func checkOverlap(vols []Volume) error {
	s := slices.Clone(vols)
	slices.SortFunc(s, func(a, b Volume) int { return cmp.Compare(a.Offset, b.Offset) })
	for i := 1; i < len(s); i++ {
		if s[i].Offset < s[i-1].Offset+s[i-1].Size {
			return fmt.Errorf("partitions %d and %d overlap: %w", s[i-1].Index, s[i].Index, ErrCorrupt)
		}
	}
	return nil
}

func hasGPTSignature(disk image.Image) bool {
	for _, ss := range []int64{512, 4096} {
		var sig [8]byte
		if disk.Size() >= 2*ss {
			if _, err := disk.ReadAt(sig[:], ss); err == nil && sig == gptSignature {
				return true
			}
		}
	}
	return false
}

func listGPT(disk image.Image, name string) ([]Volume, error) {
	// 512-byte logical sectors unless the header sits at 4096 (4Kn disks).
	sectorSize := int64(512)
	var sig [8]byte
	if _, err := disk.ReadAt(sig[:], 512); err == nil && sig != gptSignature && disk.Size() >= 8192 {
		if _, err := disk.ReadAt(sig[:], 4096); err == nil && sig == gptSignature {
			sectorSize = 4096
		}
	}
	t, warning, err := readGPT(disk, sectorSize)
	if err != nil {
		return nil, fmt.Errorf("%s: GPT: %w", name, err)
	}
	vols := make([]Volume, 0, len(t.entries))
	for _, s := range t.entries {
		e := s.entry
		label := gptName(e.PartitionName)
		desc := "GPT"
		if label != "" {
			desc = fmt.Sprintf("GPT %q", label)
		}
		v := Volume{
			Index:     s.index,
			Table:     TableGPT,
			Name:      fmt.Sprintf("%s partition %d (%s)", name, s.index, desc),
			Offset:    e.StartingLBA.Bytes(sectorSize),
			Size:      int64(e.EndingLBA-e.StartingLBA+1) * sectorSize,
			PartUUID:  guidString(e.UniquePartitionGUID),
			PartLabel: label,
			TypeGUID:  guidString(e.PartitionTypeGUID),
			Warning:   warning,
		}
		if v.Image, err = image.NewSection(disk, v.Offset, v.Size); err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name, err)
		}
		vols = append(vols, v)
	}
	if err := checkOverlap(vols); err != nil {
		return nil, fmt.Errorf("%s: GPT: %w", name, err)
	}
	return vols, nil
}

func whole(disk image.Image, name string) ([]Volume, error) {
	sec, err := image.NewSection(disk, 0, disk.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return []Volume{{
		Index: 0,
		Table: TableNone,
		Name:  name + " (whole disk)",
		Size:  disk.Size(),
		Image: sec,
	}}, nil
}
