package lvmtest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// LV is what the lvm2 tools report about one logical volume.
type LV struct {
	Name, UUID string
	Size       int64
	Ranges     [][2]int64 // disk-absolute (offset, length) per segment, in LV order
}

// Fixture is a disk with volume group vg0 on one PV (partition 2): LVs
// root (40 MiB, then extended by 12 MiB after home, so in two segments),
// home (20 MiB) and my-lv (8 MiB), each holding an ext4 filesystem made
// from the tree given for it (none when absent).
type Fixture struct {
	*Disk
	VGUUID     string
	PVUUID     string
	ExtentSize int64
	PEStart    int64 // bytes from the PV start
	PECount    int64
	FreePE     int64
	LVs        map[string]LV
}

// StandardVG builds the Fixture. Loop devices are detached on return.
func StandardVG(t testing.TB, trees map[string]testtool.Tree) *Fixture {
	t.Helper()
	d := New(t, 200, 150)
	d.LVM("vgcreate", "vg0", d.Loops[0])
	d.LVM("lvcreate", "-an", "-Zn", "-n", "root", "-L", "40M", "vg0")
	d.LVM("lvcreate", "-an", "-Zn", "-n", "home", "-L", "20M", "vg0")
	d.LVM("lvextend", "-L", "+12M", "vg0/root")
	d.LVM("lvcreate", "-an", "-Zn", "-n", "my-lv", "-L", "8M", "vg0")
	f := &Fixture{Disk: d, LVs: map[string]LV{}}
	pv := d.Report("pvs", "pv_uuid,pe_start,pv_pe_count,vg_uuid,vg_extent_size,pv_pe_alloc_count")[0]
	f.PVUUID, f.VGUUID = pv["pv_uuid"], pv["vg_uuid"]
	f.PEStart, f.PECount = atoi(t, pv["pe_start"]), atoi(t, pv["pv_pe_count"])
	f.ExtentSize = atoi(t, pv["vg_extent_size"])
	f.FreePE = f.PECount - atoi(t, pv["pv_pe_alloc_count"])
	for _, r := range d.Report("lvs", "lv_name,lv_uuid,lv_size,seg_pe_ranges,seg_start_pe") {
		lv := f.LVs[r["lv_name"]]
		lv.Name, lv.UUID, lv.Size = r["lv_name"], r["lv_uuid"], atoi(t, r["lv_size"])
		for _, e := range d.PERanges(r["seg_pe_ranges"]) {
			lv.Ranges = append(lv.Ranges, [2]int64{
				d.PVOffs[e.PV] + f.PEStart + e.First*f.ExtentSize,
				(e.Last - e.First + 1) * f.ExtentSize,
			})
		}
		f.LVs[lv.Name] = lv
	}
	d.Detach()
	for name, tree := range trees {
		lv, ok := f.LVs[name]
		if !ok {
			t.Fatalf("no LV %s", name)
		}
		img := testtool.MkfsExt4(t, tree, fmt.Sprintf("%dk", lv.Size>>10))
		Copy(t, d.Path, img, lv.Ranges)
	}
	return f
}

func atoi(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("report value %q: %v", s, err)
	}
	return n
}
