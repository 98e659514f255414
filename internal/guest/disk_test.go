package guest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/diskfile"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// openFile opens a raw disk file as a read-write image.Image.
func openFile(t testing.TB, p string) *diskfile.File { return diskfile.Open(t, p) }

// testPart describes one partition of a test disk and what goes in it.
type testPart struct {
	name     string // GPT partition name (PARTLABEL)
	sizeMiB  int64
	gptType  string // sgdisk type code, e.g. "8300"
	mbrType  string // sfdisk type, e.g. "83"
	partUUID string // GPT only
	kind     string // "ext4", "swap", "luks", "lvm2", "" (zeros)
	tree     testtool.Tree
	uuid     string // filesystem UUID (mkfs -U)
	label    string // filesystem label (mkfs -L)
}

// buildDisk makes a sparse disk image with a GPT (table "gpt") or an MBR
// (table "mbr") and fills each partition per its kind.
func buildDisk(t *testing.T, table string, parts []testPart) string {
	t.Helper()
	testtool.Need(t, "sgdisk", "sfdisk", "mkfs.ext4", "mkswap")
	var total int64 = 4
	for _, p := range parts {
		total += p.sizeMiB + 1
	}
	disk := t.TempDir() + "/disk.img"
	f, err := os.Create(disk)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(total << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	switch table {
	case "gpt":
		var args []string
		for i, p := range parts {
			n := i + 1
			args = append(args, "-n", fmt.Sprintf("%d:0:+%dM", n, p.sizeMiB), "-t", fmt.Sprintf("%d:%s", n, p.gptType))
			if p.name != "" {
				args = append(args, "-c", fmt.Sprintf("%d:%s", n, p.name))
			}
			if p.partUUID != "" {
				args = append(args, "-u", fmt.Sprintf("%d:%s", n, p.partUUID))
			}
		}
		testtool.Run(t, "sgdisk", append(args, disk)...)
	case "mbr":
		// More than four partitions: three primaries, then an extended
		// partition holding the rest as logical partitions 5, 6...
		var script strings.Builder
		script.WriteString("label: dos\n")
		for i, p := range parts {
			if len(parts) > 4 && i == 3 {
				script.WriteString(",,E\n")
			}
			fmt.Fprintf(&script, ",%dM,%s\n", p.sizeMiB, p.mbrType)
		}
		cmd := exec.Command("sfdisk", "-q", disk)
		cmd.Stdin = strings.NewReader(script.String())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sfdisk: %v\n%s\n%s", err, out, script.String())
		}
	default:
		t.Fatalf("table %q", table)
	}
	vols, err := volume.List(openFile(t, disk), "disk.img")
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != len(parts) {
		t.Fatalf("disk has %d volumes, want %d", len(vols), len(parts))
	}
	for i, p := range parts {
		fillVolume(t, disk, vols[i].Offset, p)
	}
	return disk
}

// fillVolume writes the partition's content at off.
func fillVolume(t *testing.T, disk string, off int64, p testPart) {
	t.Helper()
	switch p.kind {
	case "ext4":
		args := []string{}
		if p.uuid != "" {
			args = append(args, "-U", p.uuid)
		}
		if p.label != "" {
			args = append(args, "-L", p.label)
		}
		img := testtool.MkfsExt4(t, p.tree, fmt.Sprintf("%dM", p.sizeMiB), args...)
		copySparse(t, disk, off, img)
	case "swap":
		img := t.TempDir() + "/swap.img"
		if err := os.WriteFile(img, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, p.sizeMiB<<20); err != nil {
			t.Fatal(err)
		}
		args := []string{img}
		if p.uuid != "" {
			args = append([]string{"-U", p.uuid}, args...)
		}
		testtool.Run(t, "mkswap", args...)
		copySparse(t, disk, off, img)
	case "luks":
		writeAt(t, disk, off, []byte("LUKS\xba\xbe\x00\x02"))
	case "lvm2":
		label := make([]byte, 32)
		copy(label, "LABELONE")
		copy(label[24:], "LVM2 001")
		writeAt(t, disk, off+512, label)
	}
}

func writeAt(t *testing.T, disk string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(disk, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// copySparse copies src into disk at off, skipping all-zero 64 KiB blocks.
func copySparse(t *testing.T, disk string, off int64, src string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(disk, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	buf := make([]byte, 64<<10)
	zero := make([]byte, len(buf))
	for pos := int64(0); ; pos += int64(len(buf)) {
		n, err := in.ReadAt(buf, pos)
		if n > 0 && !bytes.Equal(buf[:n], zero[:n]) {
			if _, err := out.WriteAt(buf[:n], off+pos); err != nil {
				t.Fatal(err)
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
