package lvm2_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume/lvm2/lvmtest"
)

func readPV(t *testing.T, f *lvmtest.Fixture) *lvm2.PV {
	t.Helper()
	file, err := os.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	const size = 150 << 20
	pv, err := lvm2.ReadPV(io.NewSectionReader(file, f.PVOffs[0], size), size)
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

// TestMetadataMatchesTools parses what the real lvm2 tools wrote and
// compares with what pvs and lvs report.
func TestMetadataMatchesTools(t *testing.T) {
	f := lvmtest.StandardVG(t, nil)
	pv := readPV(t, f)
	if pv.UUID() != f.PVUUID {
		t.Errorf("PV UUID %s, pvs says %s", pv.UUID(), f.PVUUID)
	}
	groups := lvm2.Assemble([]*lvm2.PV{pv}, []int64{150 << 20})
	if len(groups) != 1 || groups[0].Err != nil {
		t.Fatalf("groups = %+v", groups)
	}
	vg := groups[0].VG
	if vg.Name != "vg0" || vg.UUID != f.VGUUID || vg.ExtentSize.Bytes() != f.ExtentSize || len(vg.PVs) != 1 ||
		vg.PVs[0].PEStart.Bytes() != f.PEStart || int64(vg.PVs[0].PECount) != f.PECount {
		t.Fatalf("vg = %+v, fixture %+v", vg, f)
	}
	var free int64
	for _, r := range vg.Unallocated(0) {
		free += r.Len
	}
	if free != f.FreePE*f.ExtentSize {
		t.Errorf("unallocated %d bytes, pvs: %d extents", free, f.FreePE)
	}
	var names []string
	for i := range vg.LVs {
		lv := &vg.LVs[i]
		names = append(names, lv.Name)
		want, ok := f.LVs[lv.Name]
		if !ok || lv.UUID != want.UUID || int64(lv.Extents())*f.ExtentSize != want.Size || !lv.Visible() {
			t.Errorf("LV %+v, lvs %+v", lv, want)
			continue
		}
		pieces, err := vg.Linear(lv)
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]int64
		for _, p := range pieces {
			got = append(got, [2]int64{f.PVOffs[0] + p.PVOff, p.Len})
		}
		if !slices.Equal(got, want.Ranges) {
			t.Errorf("LV %s: pieces %v, lvs %v", lv.Name, got, want.Ranges)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"home", "my-lv", "root"}) {
		t.Errorf("LVs %v", names)
	}
}

// rewriteMetadata replaces the committed metadata text of the PV at pvOff
// of the disk file (first metadata area at 4 KiB), fixing the checksums
// as lvm2 would: the way to get layouts lvm2 cannot create without
// device-mapper.
func rewriteMetadata(t *testing.T, disk string, pvOff int64, text []byte) {
	t.Helper()
	file, err := os.OpenFile(disk, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	mdaOff := pvOff + 4096
	hdr := make([]byte, 512)
	if _, err := file.ReadAt(hdr, mdaOff); err != nil {
		t.Fatal(err)
	}
	text = append(text, 0)
	binary.LittleEndian.PutUint64(hdr[40:], 512)
	binary.LittleEndian.PutUint64(hdr[48:], uint64(len(text)))
	binary.LittleEndian.PutUint32(hdr[56:], lvm2.CRC(text))
	binary.LittleEndian.PutUint32(hdr[0:], lvm2.CRC(hdr[4:]))
	if _, err := file.WriteAt(text, mdaOff+512); err != nil {
		t.Fatal(err)
	}
	if _, err := file.WriteAt(hdr, mdaOff); err != nil {
		t.Fatal(err)
	}
}

// TestThinPoolRefusedOnDisk: lvm2 cannot make a thin pool without
// device-mapper, so turn the real VG's home LV into one (its extents
// becoming the pool's hidden data LV) and check List refuses it by name,
// keeps the linear LVs, and never reports the pool's extents free.
func TestThinPoolRefusedOnDisk(t *testing.T) {
	f := lvmtest.StandardVG(t, nil)
	text := string(readPV(t, f).Metadata)
	home := f.LVs["home"]
	i := strings.Index(text, "home {")
	j := strings.Index(text[i:], "type = \"striped\"")
	k := strings.Index(text[i+j:], "}")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("unexpected metadata layout")
	}
	firstPE := (home.Ranges[0][0] - f.PVOffs[0] - f.PEStart) / f.ExtentSize
	pool := "type = \"thin-pool\"\nmetadata = \"home_tmeta\"\npool = \"home_tdata\"\ntransaction_id = 0\nchunk_size = 128\n"
	text = text[:i+j] + pool + text[i+j+k:]
	tdata := "home_tdata {\nid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000\"\nstatus = [\"READ\", \"WRITE\"]\nsegment_count = 1\n" +
		"segment1 {\nstart_extent = 0\nextent_count = 5\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", " +
		strconv.FormatInt(firstPE, 10) + "]\n}\n}\n"
	l := strings.Index(text, "logical_volumes {") + len("logical_volumes {")
	text = text[:l] + "\n" + tdata + text[l:]
	text = strings.Replace(text, "seqno = ", "seqno = 1", 1) // a newer seqno, as lvm2 would write
	rewriteMetadata(t, f.Path, f.PVOffs[0], []byte(text))

	file, err := os.OpenFile(f.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	disk := &fileImage{file}
	vols, err := volume.List(disk, "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	pv := vols[1]
	if pv.Problem != nil || len(pv.Refused) != 1 || pv.Refused[0].VG != "vg0" || pv.Refused[0].LV != "home" {
		t.Fatalf("PV volume: problem %v, refused %+v", pv.Problem, pv.Refused)
	}
	err = pv.Refused[0].Err
	if !errors.Is(err, volume.ErrUnsupported) || !strings.Contains(err.Error(), "LV vg0/home") || !strings.Contains(err.Error(), "thin provisioning") {
		t.Errorf("refusal = %v", err)
	}
	var lvs []string
	for _, v := range vols {
		if v.Table == volume.TableLVM2 {
			lvs = append(lvs, v.LV)
		}
	}
	slices.Sort(lvs)
	if !slices.Equal(lvs, []string{"my-lv", "root"}) {
		t.Errorf("LV volumes %v, want my-lv and root (home_tdata is hidden)", lvs)
	}
	for _, r := range pv.Unallocated {
		if r.Off < home.Ranges[0][0]+home.Ranges[0][1] && r.End() > home.Ranges[0][0] {
			t.Errorf("free range %+v overlaps the thin pool's data %v", r, home.Ranges[0])
		}
	}
}

type fileImage struct{ f *os.File }

func (i *fileImage) Size() int64 {
	st, err := i.f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}
func (i *fileImage) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > i.Size()-off {
		return 0, image.ErrOutOfRange
	}
	return i.f.ReadAt(p, off)
}
func (i *fileImage) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > i.Size()-off {
		return 0, image.ErrOutOfRange
	}
	return i.f.WriteAt(p, off)
}
func (i *fileImage) Close() error { return nil }
