package volume

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2/lvmtest"
)

func lvByName(vols []Volume, name string) *Volume {
	for i := range vols {
		if vols[i].Table == TableLVM2 && vols[i].LV == name {
			return &vols[i]
		}
	}
	return nil
}

// TestListLVM2 builds a VG with the real lvm2 tools and checks that List
// maps every LV exactly where lvs says, and that the ext4 engine reads
// the filesystems through the LV images, the two-segment one included.
func TestListLVM2(t *testing.T) {
	trees := map[string]testtool.Tree{
		"root":  {"etc/hostname": "lvm-root\n", "big": strings.Repeat("0123456789abcdef", 3<<16)},
		"home":  {"user/notes": "home on LVM\n"},
		"my-lv": {"data": "dash\n"},
	}
	f := lvmtest.StandardVG(t, trees)
	vols, err := List(openFile(t, f.Path), "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	pv := vols[1]
	if pv.Index != 2 || pv.PVUUID != f.PVUUID || pv.VG != "vg0" || pv.Problem != nil || len(pv.Refused) != 0 {
		t.Fatalf("PV volume = %+v", pv)
	}
	if Identify(pv.Image, pv.Size) != ContentLVM2 || ContentLVM2.Refusal(pv) != nil {
		t.Error("an assembled PV must be identified as LVM2 and not refused")
	}
	// Unallocated: the free extents, inside the PV's data area.
	var free int64
	for _, r := range pv.Unallocated {
		free += r.Len
		if r.Off < pv.Offset+f.PEStart || r.End() > pv.Offset+pv.Size {
			t.Errorf("unallocated %+v outside the data area", r)
		}
	}
	if free != f.FreePE*f.ExtentSize {
		t.Errorf("unallocated %d bytes, pvs says %d extents of %d", free, f.FreePE, f.ExtentSize)
	}
	if len(vols) != 2+3 {
		t.Fatalf("%d volumes, want 2 partitions + 3 LVs: %+v", len(vols), vols)
	}
	for name, want := range f.LVs {
		v := lvByName(vols, name)
		if v == nil {
			t.Fatalf("no volume for LV %s", name)
		}
		if v.Name != "disk.img LV vg0/"+name || v.VG != "vg0" || v.LVUUID != want.UUID || v.VGUUID != f.VGUUID || v.Size != want.Size || v.Index != -1 {
			t.Errorf("LV %s: volume %+v, lvs %+v", name, v, want)
		}
		var segs [][2]int64
		for _, s := range v.Segments {
			segs = append(segs, [2]int64{s.Off, s.Len})
		}
		if !slices.Equal(segs, want.Ranges) {
			t.Errorf("LV %s: segments %v, lvs says %v", name, segs, want.Ranges)
		}
		if len(segs) == 1 && v.Offset != segs[0][0] || len(segs) > 1 && v.Offset != -1 {
			t.Errorf("LV %s: Offset %d with segments %v", name, v.Offset, segs)
		}
		if v.Image.Size() != v.Size {
			t.Errorf("LV %s: image size %d", name, v.Image.Size())
		}
		e, err := fs.Detect(v.Image, v.Size)
		if err != nil || e.Name() != "ext4" {
			t.Fatalf("LV %s: detect: %v", name, err)
		}
		x, err := ext4.Open(v.Image, fs.OpenOptions{Name: v.Name, ReadOnly: true})
		if err != nil {
			t.Fatalf("LV %s: %v", name, err)
		}
		for p, content := range trees[name] {
			got, err := fs.ReadFile(x, "/"+p)
			if err != nil || string(got) != content {
				t.Errorf("LV %s: %s: %d bytes, %v", name, p, len(got), err)
			}
		}
		x.Close()
	}
	if root := lvByName(vols, "root"); len(root.Segments) != 2 {
		t.Errorf("root has %d segments, want 2 (lvextend after home)", len(root.Segments))
	}
}

// TestListLVM2MissingPV refuses a VG one of whose PVs is not on the disk,
// naming the missing PV's UUID, without failing List.
func TestListLVM2MissingPV(t *testing.T) {
	d := lvmtest.New(t, 64, 16, 16)
	d.LVM("vgcreate", "vgx", d.Loops[0], d.Loops[1])
	d.LVM("lvcreate", "-an", "-Zn", "-n", "data", "-L", "20M", "vgx")
	pvs := d.Report("pvs", "pv_name,pv_uuid")
	missing := ""
	for _, r := range pvs {
		if r["pv_name"] == d.Loops[1] {
			missing = r["pv_uuid"]
		}
	}
	d.Detach()
	wipe := make([]byte, 1<<20)
	img := openFile(t, d.Path)
	if _, err := img.WriteAt(wipe, d.PVOffs[1]); err != nil {
		t.Fatal(err)
	}
	vols, err := List(img, "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != 3 {
		t.Fatalf("%d volumes, want the 3 partitions and no LV", len(vols))
	}
	p := vols[1].Problem
	if p == nil || !errors.Is(p, ErrUnsupported) || !strings.Contains(p.Error(), missing) || !strings.Contains(p.Error(), "VG vgx") {
		t.Fatalf("problem = %v, want VG vgx and the missing PV %s", p, missing)
	}
	if err := ContentLVM2.Refusal(vols[1]); err != p {
		t.Errorf("Refusal = %v", err)
	}
	if len(vols[1].Unallocated) != 0 {
		t.Error("a refused VG must report no free space")
	}
}

// TestConcat checks reads and writes across segment boundaries and the
// bounds.
func TestConcat(t *testing.T) {
	disk := &memImage{b: make([]byte, 100)}
	for i := range disk.b {
		disk.b[i] = byte(i)
	}
	c, err := NewConcat(disk, []image.Range{{Off: 50, Len: 10}, {Off: 10, Len: 5}, {Off: 90, Len: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Size() != 25 {
		t.Fatalf("size %d", c.Size())
	}
	got := make([]byte, 25)
	if _, err := c.ReadAt(got, 0); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte{}, disk.b[50:60]...), disk.b[10:15]...), disk.b[90:100]...)
	if !bytes.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	if _, err := c.WriteAt([]byte{0xAA, 0xBB, 0xCC}, 9); err != nil {
		t.Fatal(err)
	}
	if disk.b[59] != 0xAA || disk.b[10] != 0xBB || disk.b[11] != 0xCC || disk.b[60] != 60 || disk.b[9] != 9 {
		t.Errorf("write across a boundary landed wrong: %v", disk.b)
	}
	for _, off := range []int64{-1, 23, 26} {
		if _, err := c.ReadAt(make([]byte, 3), off); !errors.Is(err, image.ErrOutOfRange) {
			t.Errorf("read at %d: %v", off, err)
		}
		if _, err := c.WriteAt(make([]byte, 3), off); !errors.Is(err, image.ErrOutOfRange) {
			t.Errorf("write at %d: %v", off, err)
		}
	}
	if _, err := NewConcat(disk, []image.Range{{Off: 95, Len: 10}}); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("range past the end: %v", err)
	}
	v := Volume{Name: "lv", Size: 25, Offset: -1, Segments: c.Parts()}
	rs, err := v.DiskRanges(image.Range{Off: 8, Len: 10})
	if err != nil || !slices.Equal(rs, []image.Range{{Off: 58, Len: 2}, {Off: 10, Len: 5}, {Off: 90, Len: 3}}) {
		t.Errorf("DiskRanges = %v, %v", rs, err)
	}
	if _, err := v.DiskRanges(image.Range{Off: 20, Len: 6}); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("DiskRanges past the end: %v", err)
	}
	p := Volume{Name: "p", Size: 50, Offset: 1000}
	if rs, _ := p.DiskRanges(image.Range{Off: 5, Len: 5}); !slices.Equal(rs, []image.Range{{Off: 1005, Len: 5}}) {
		t.Errorf("partition DiskRanges = %v", rs)
	}
}

type memImage struct{ b []byte }

func (m *memImage) Size() int64 { return int64(len(m.b)) }
func (m *memImage) ReadAt(p []byte, off int64) (int, error) {
	return copy(p, m.b[off:]), nil
}
func (m *memImage) WriteAt(p []byte, off int64) (int, error) {
	return copy(m.b[off:], p), nil
}
func (m *memImage) Close() error { return nil }
