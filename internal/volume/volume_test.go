package volume

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestStructSizes(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int
	}{{GPTHeader{}, 92}, {GPTEntry{}, 128}, {MBR{}, 512}, {MBRPartition{}, 16}} {
		if got := binary.Size(c.v); got != c.want {
			t.Errorf("binary.Size(%T) = %d, want %d", c.v, got, c.want)
		}
	}
}

// sfdiskPart is one partition as `sfdisk --json` reports it: the reference.
type sfdiskPart struct {
	Node  string `json:"node"`
	Start int64  `json:"start"`
	Size  int64  `json:"size"`
	Type  string `json:"type"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
}

func sfdiskJSON(t *testing.T, img string) (label, id string, parts []sfdiskPart) {
	t.Helper()
	out := testtool.Run(t, "sfdisk", "--json", img)
	var doc struct {
		PartitionTable struct {
			Label      string       `json:"label"`
			ID         string       `json:"id"`
			Partitions []sfdiskPart `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("sfdisk --json: %v\n%s", err, out)
	}
	return doc.PartitionTable.Label, doc.PartitionTable.ID, doc.PartitionTable.Partitions
}

func partIndex(t *testing.T, node string) int {
	i := len(node)
	for i > 0 && node[i-1] >= '0' && node[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(node[i:])
	if err != nil {
		t.Fatalf("node %q: %v", node, err)
	}
	return n
}

func TestListGPTMatchesSfdisk(t *testing.T) {
	testtool.Need(t, "sgdisk", "sfdisk")
	img := makeSparse(t, 64<<20)
	testtool.Run(t, "sgdisk", "-n", "1:2048:+8M", "-c", "1:EFI System", "-t", "1:ef00",
		"-n", "2:0:+16M", "-c", "2:root", "-t", "2:8300",
		"-n", "4:0:0", "-t", "4:8200", img)
	vols, err := List(openFile(t, img), "disk.qcow2")
	if err != nil {
		t.Fatal(err)
	}
	_, _, want := sfdiskJSON(t, img)
	if len(vols) != len(want) {
		t.Fatalf("got %d volumes, sfdisk sees %d: %+v", len(vols), len(want), vols)
	}
	for i, w := range want {
		v := vols[i]
		if v.Table != TableGPT || v.Index != partIndex(t, w.Node) || v.Offset != w.Start*512 || v.Size != w.Size*512 ||
			v.PartUUID != strings.ToLower(w.UUID) || v.TypeGUID != strings.ToLower(w.Type) || v.PartLabel != w.Name || v.Warning != "" {
			t.Errorf("volume %d = %+v, sfdisk says %+v", i, v, w)
		}
		if v.Image.Size() != v.Size {
			t.Errorf("volume %d image size %d, want %d", i, v.Image.Size(), v.Size)
		}
	}
	if got := vols[1].Name; got != `disk.qcow2 partition 2 (GPT "root")` {
		t.Errorf("name = %q", got)
	}
	if got := vols[2].Name; got != `disk.qcow2 partition 4 (GPT)` {
		t.Errorf("name = %q", got)
	}
}

func TestListMBRLogicalMatchesSfdisk(t *testing.T) {
	testtool.Need(t, "sfdisk")
	img := makeSparse(t, 64<<20)
	script := "label: dos\n,10M,83\n,10M,82\n,,E\n,5M,83\n,5M,8e\n,,83\n"
	if out, err := runStdin(script, "sfdisk", "-q", img); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	vols, err := List(openFile(t, img), "disk.raw")
	if err != nil {
		t.Fatal(err)
	}
	_, id, parts := sfdiskJSON(t, img)
	var want []sfdiskPart
	for _, p := range parts {
		if p.Type != "5" && p.Type != "f" && p.Type != "85" { // containers are not volumes
			want = append(want, p)
		}
	}
	if len(vols) != len(want) {
		t.Fatalf("got %d volumes, want %d: %+v", len(vols), len(want), vols)
	}
	for i, w := range want {
		v := vols[i]
		typ, _ := strconv.ParseUint(w.Type, 16, 8)
		idx := partIndex(t, w.Node)
		wantUUID := fmt.Sprintf("%s-%02x", strings.TrimPrefix(id, "0x"), idx)
		if v.Table != TableMBR || v.Index != idx || v.Offset != w.Start*512 || v.Size != w.Size*512 ||
			v.MBRType != byte(typ) || v.Logical != (idx >= 5) || v.PartUUID != wantUUID {
			t.Errorf("volume %d = %+v, sfdisk says %+v (partuuid %s)", i, v, w, wantUUID)
		}
	}
	if got := vols[3].Name; got != "disk.raw partition 6 (MBR logical, type 0x8e)" {
		t.Errorf("name = %q", got)
	}
}

func TestListWholeDisk(t *testing.T) {
	testtool.Need(t, "mkfs.ext4")
	img := testtool.MkfsExt4(t, testtool.Tree{"etc/hostname": "h\n"}, "8M")
	vols, err := List(openFile(t, img), "root.img")
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != 1 || vols[0].Table != TableNone || vols[0].Offset != 0 || vols[0].Size != 8<<20 || vols[0].Name != "root.img (whole disk)" {
		t.Fatalf("got %+v", vols)
	}
}

func TestListGPTBackupFallback(t *testing.T) {
	testtool.Need(t, "sgdisk")
	img := makeSparse(t, 16<<20)
	testtool.Run(t, "sgdisk", "-n", "1:2048:0", "-c", "1:root", img)
	disk := openFile(t, img)
	good, err := List(disk, "d")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		off  int64
	}{{"header CRC", 512 + 0x10}, {"entry array", 1024 + 0x38}} {
		t.Run(c.name, func(t *testing.T) {
			orig := make([]byte, 1)
			disk.ReadAt(orig, c.off)
			disk.WriteAt([]byte{orig[0] ^ 0xff}, c.off)
			defer disk.WriteAt(orig, c.off)
			vols, err := List(disk, "d")
			if err != nil {
				t.Fatal(err)
			}
			if len(vols) != 1 || vols[0].Offset != good[0].Offset || vols[0].PartUUID != good[0].PartUUID {
				t.Fatalf("backup gave %+v, want %+v", vols, good)
			}
			if !strings.Contains(vols[0].Warning, "backup GPT") {
				t.Errorf("warning = %q", vols[0].Warning)
			}
		})
	}
	// Both copies damaged: a clear error, never a panic or a guess.
	backup := disk.Size() - 512 + 0x10
	for _, off := range []int64{512 + 0x10, backup} {
		b := make([]byte, 1)
		disk.ReadAt(b, off)
		disk.WriteAt([]byte{b[0] ^ 0xff}, off)
	}
	_, err = List(disk, "d")
	if !errors.Is(err, ErrCorrupt) || !errors.Is(err, image.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), "primary GPT") || !strings.Contains(err.Error(), "backup GPT") {
		t.Errorf("error does not say both copies are damaged: %v", err)
	}
}

func TestListGPTBeyondDiskRefused(t *testing.T) {
	testtool.Need(t, "sgdisk")
	img := makeSparse(t, 16<<20)
	testtool.Run(t, "sgdisk", "-n", "1:2048:0", img)
	// A truncated copy: the partition and the backup GPT fall off the end.
	if err := os.Truncate(img, 8<<20); err != nil {
		t.Fatal(err)
	}
	_, err := List(openFile(t, img), "d")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("err = %v, want a truncated-image ErrCorrupt", err)
	}
}

func TestListMBRChainLoop(t *testing.T) {
	m := make([]byte, 512)
	putMBREntry(m, 0, 0x83, 2048, 2048) // primary 1
	putMBREntry(m, 1, 0x05, 8192, 8192) // extended container
	m[510], m[511] = 0x55, 0xAA
	ebr1 := make([]byte, 512)
	putMBREntry(ebr1, 0, 0x83, 2048, 1024) // logical 5
	putMBREntry(ebr1, 1, 0x05, 4096, 2048) // next EBR at 8192+4096
	ebr1[510], ebr1[511] = 0x55, 0xAA
	ebr2 := make([]byte, 512)
	putMBREntry(ebr2, 0, 0x83, 2048, 1024) // logical 6
	ebr2[510], ebr2[511] = 0x55, 0xAA
	head := make([]byte, (8192+4096)*512+512)
	copy(head, m)
	copy(head[8192*512:], ebr1)
	copy(head[(8192+4096)*512:], ebr2)
	vols, err := List(&sparseImage{size: 16 << 20, head: head}, "d")
	if err != nil || len(vols) != 3 || vols[2].Index != 6 || vols[2].Offset != (8192+4096+2048)*512 {
		t.Fatalf("chain: %+v, %v", vols, err)
	}
	// The second EBR links back to itself.
	putMBREntry(head[(8192+4096)*512:], 1, 0x05, 4096, 2048)
	_, err = List(&sparseImage{size: 16 << 20, head: head}, "d")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "loops") {
		t.Fatalf("err = %v, want a loop ErrCorrupt", err)
	}
	// A link outside the container.
	putMBREntry(head[(8192+4096)*512:], 1, 0x05, 1<<20, 2048)
	_, err = List(&sparseImage{size: 16 << 20, head: head}, "d")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "outside the extended") {
		t.Fatalf("err = %v, want an outside-the-container ErrCorrupt", err)
	}
}

func putMBREntry(b []byte, slot int, typ byte, first, sectors uint32) {
	e := b[446+16*slot:]
	e[4] = typ
	binary.LittleEndian.PutUint32(e[8:], first)
	binary.LittleEndian.PutUint32(e[12:], sectors)
}

func TestListNotATable(t *testing.T) {
	// A FAT-like boot sector: 0x55AA but no plausible entries.
	head := make([]byte, 512)
	copy(head, "\xeb\x3c\x90mkfs.fat")
	for i := 446; i < 510; i++ {
		head[i] = 0x20
	}
	head[510], head[511] = 0x55, 0xAA
	vols, err := List(&sparseImage{size: 1 << 20, head: head}, "d")
	if err != nil || len(vols) != 1 || vols[0].Table != TableNone {
		t.Fatalf("got %+v, %v; want the whole disk", vols, err)
	}
}

func TestListOverlapRefused(t *testing.T) {
	m := make([]byte, 512)
	putMBREntry(m, 0, 0x83, 2048, 4096)
	putMBREntry(m, 1, 0x83, 4096, 4096) // starts inside partition 1
	m[510], m[511] = 0x55, 0xAA
	_, err := List(&sparseImage{size: 16 << 20, head: m}, "d")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "partitions 1 and 2 overlap") {
		t.Fatalf("err = %v, want an overlap ErrCorrupt", err)
	}
}
