package guest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// LVM2 logical volumes as fstab names them (udev's 10-dm.rules and
// 11-dm-lvm.rules): /dev/mapper/VG-LV (a '-' inside a name doubled),
// /dev/VG/LV, /dev/disk/by-id/dm-name-VG-LV and
// /dev/disk/by-id/dm-uuid-LVM-<VG UUID><LV UUID> (no dashes).
var (
	mapperRE = regexp.MustCompile(`^/dev/(?:mapper/|disk/by-id/dm-name-)(.+)$`)
	vgLVRE   = regexp.MustCompile(`^/dev/([^/]+)/([^/]+)$`)
	dmUUIDRE = regexp.MustCompile(`^/dev/disk/by-id/dm-uuid-LVM-([A-Za-z0-9!#]{64})$`)
)

// mapperName is the device-mapper name of an LV: VG-LV with each '-'
// inside the names doubled.
func mapperName(vg, lv string) string {
	return strings.ReplaceAll(vg, "-", "--") + "-" + strings.ReplaceAll(lv, "-", "--")
}

// splitMapperName undoes mapperName: the separator is the first '-' not
// part of a "--" pair.
func splitMapperName(s string) (vg, lv string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '-' {
			i++
			continue
		}
		vg, lv = s[:i], s[i+1:]
		if vg == "" || lv == "" {
			return "", "", false
		}
		return strings.ReplaceAll(vg, "--", "-"), strings.ReplaceAll(lv, "--", "-"), true
	}
	return "", "", false
}

// lvmSpec returns the VG and LV an fstab spec names by path, if any.
func lvmSpec(spec string) (vg, lv string, ok bool) {
	if m := mapperRE.FindStringSubmatch(spec); m != nil {
		return splitMapperName(unescapeUdev(m[1]))
	}
	if m := vgLVRE.FindStringSubmatch(spec); m != nil && !strings.HasPrefix(spec, "/dev/disk/") {
		return m[1], m[2], true
	}
	return "", "", false
}

// matchesLV reports whether spec names the LV volume v by a path.
func matchesLV(v volume.Volume, spec string) bool {
	if m := dmUUIDRE.FindStringSubmatch(spec); m != nil {
		want := strings.ReplaceAll(v.VGUUID, "-", "") + strings.ReplaceAll(v.LVUUID, "-", "")
		return m[1] == want
	}
	vg, lv, ok := lvmSpec(spec)
	return ok && vg == v.VG && lv == v.LV
}

// lvmIssue explains why an fstab spec naming an LV by path has no volume:
// the LV was refused or its VG could not be assembled. "" otherwise.
func (m *Mounted) lvmIssue(spec string) error {
	vg, lv, ok := lvmSpec(spec)
	if !ok {
		return nil
	}
	for _, r := range m.refusedLVs {
		if r.VG == vg && r.LV == lv {
			return r.Err
		}
	}
	for _, p := range m.pvProblems {
		if p.vg == vg {
			return p.err
		}
	}
	return nil
}

type pvProblem struct {
	vg  string
	err error
}

// noteLVM2 records what the volume list says about a PV: its free
// extents, the LVs not exposed and the VG problems, with warnings.
func (m *Mounted) noteLVM2(v volume.Volume, diskName string) {
	m.pvFree = append(m.pvFree, v.Unallocated...)
	for _, r := range v.Refused {
		m.refusedLVs = append(m.refusedLVs, r)
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: %v; not opened", diskName, r.Err))
	}
	if v.Problem != nil {
		m.pvProblems = append(m.pvProblems, pvProblem{vg: v.VG, err: v.Problem})
		m.Warnings = append(m.Warnings, fmt.Sprintf("%v; its logical volumes are not opened", v.Problem))
	}
}
