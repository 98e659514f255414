// Package lvmtest builds LVM2 test disks with the real lvm2 tools, without
// device-mapper: a GPT disk file whose partitions are attached as loop
// devices (losetup -o/--sizelimit), pvcreate/vgcreate/lvcreate
// --driverloaded n -an -Zn on them with a private LVM_SYSTEM_DIR (no udev,
// no lvmpolld, no hints, no backups, a filter accepting only those loop devices),
// and the tools' own JSON reports as the oracle.
package lvmtest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// Disk is a GPT disk file with one LVM2 PV per attached partition.
type Disk struct {
	t      testing.TB
	Path   string
	PVOffs []int64  // disk offset of each PV partition
	Loops  []string // its loop device while attached
	dir    string   // LVM_SYSTEM_DIR
}

// Partition layout: partition 1 is a 4 MiB Linux partition at 1 MiB;
// then one LVM partition (type 8e00) of each size in pvMiB.
const firstMiB = 1

// New makes a sparse disk of diskMiB with the PV partitions of pvMiB
// sizes, attaches each as a loop device and runs pvcreate on it. Loop
// devices are detached when the test ends, even on failure.
func New(t testing.TB, diskMiB int64, pvMiB ...int64) *Disk {
	t.Helper()
	testtool.NeedRoot(t)
	testtool.Need(t, "sgdisk", "losetup", "pvcreate", "vgcreate", "lvcreate", "lvextend", "lvs", "pvs")
	d := &Disk{t: t, Path: filepath.Join(t.TempDir(), "disk.img"), dir: t.TempDir()}
	if err := os.WriteFile(d.Path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(d.Path, diskMiB<<20); err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "1:1M:+4M", "-t", "1:8300"}
	off := int64(firstMiB+4) << 20
	for i, s := range pvMiB {
		n := i + 2
		args = append(args, "-n", fmt.Sprintf("%d:%dM:+%dM", n, off>>20, s), "-t", fmt.Sprintf("%d:8e00", n))
		d.PVOffs = append(d.PVOffs, off)
		off += s << 20
	}
	testtool.Run(t, "sgdisk", append(args, d.Path)...)
	for i, s := range pvMiB {
		out := testtool.Run(t, "losetup", "-f", "--show", "-o", strconv.FormatInt(d.PVOffs[i], 10),
			"--sizelimit", strconv.FormatInt(s<<20, 10), d.Path)
		loop := strings.TrimSpace(out)
		d.Loops = append(d.Loops, loop)
		t.Cleanup(func() { d.detach(loop) })
	}
	var filter []string
	for _, l := range d.Loops {
		filter = append(filter, fmt.Sprintf("\"a|^%s$|\"", l))
	}
	filter = append(filter, `"r|.*|"`)
	conf := fmt.Sprintf(`devices {
	filter = [ %s ]
	obtain_device_list_from_udev = 0
	external_device_info_source = "none"
	use_devicesfile = 0
	scan_lvs = 0
	hints = "none"
}
global {
	use_lvmlockd = 0
	use_lvmpolld = 0
	locking_dir = "%s"
}
activation {
	udev_sync = 0
	udev_rules = 0
	monitoring = 0
}
backup {
	backup = 0
	archive = 0
}
`, strings.Join(filter, ", "), filepath.Join(d.dir, "lock"))
	if err := os.WriteFile(filepath.Join(d.dir, "lvm.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range d.Loops {
		d.LVM("pvcreate", l)
	}
	return d
}

func (d *Disk) detach(loop string) {
	for i, l := range d.Loops {
		if l == loop {
			if out, err := testtool.RunErr("losetup", "-d", loop); err != nil {
				d.t.Errorf("losetup -d %s: %v\n%s", loop, err, out)
			}
			d.Loops[i] = ""
		}
	}
}

// Detach detaches every loop device now (the disk file then holds all).
func (d *Disk) Detach() {
	for _, l := range d.Loops {
		if l != "" {
			d.detach(l)
		}
	}
}

// LVM runs an lvm2 command with the private configuration; lv*/vg*
// commands get --driverloaded n so nothing touches device-mapper.
func (d *Disk) LVM(cmd string, args ...string) string {
	d.t.Helper()
	if cmd != "pvcreate" && cmd != "vgcreate" {
		args = append([]string{"--driverloaded", "n"}, args...)
	}
	c := exec.Command(cmd, args...)
	c.Env = append(os.Environ(), "LVM_SYSTEM_DIR="+d.dir, "LVM_SUPPRESS_FD_WARNINGS=1")
	out, err := c.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		d.t.Fatalf("%s %s: %v\n%s%s", cmd, strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

// Row is one row of an lvs/pvs/vgs JSON report.
type Row map[string]string

// Report runs an lvm2 report command (lvs, pvs, vgs) with --reportformat
// json, --units b and the fields given, and returns its rows.
func (d *Disk) Report(cmd, fields string) []Row {
	d.t.Helper()
	out := d.LVM(cmd, "--reportformat", "json", "--units", "b", "--nosuffix", "-o", fields)
	var r struct {
		Report []map[string][]Row `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		d.t.Fatalf("%s report: %v\n%s", cmd, err, out)
	}
	var rows []Row
	for _, m := range r.Report {
		for _, rs := range m {
			rows = append(rows, rs...)
		}
	}
	return rows
}

// Extent is a run of PV extents as seg_pe_ranges prints it.
type Extent struct {
	PV          int // index in Loops
	First, Last int64
}

// PERanges parses seg_pe_ranges ("/dev/loop3:15-17").
func (d *Disk) PERanges(s string) []Extent {
	d.t.Helper()
	var out []Extent
	for _, f := range strings.Fields(s) {
		dev, rng, ok := strings.Cut(f, ":")
		a, b, ok2 := strings.Cut(rng, "-")
		first, err1 := strconv.ParseInt(a, 10, 64)
		last, err2 := strconv.ParseInt(b, 10, 64)
		pv := -1
		for i, l := range d.Loops {
			if l == dev {
				pv = i
			}
		}
		if !ok || !ok2 || err1 != nil || err2 != nil || pv < 0 {
			d.t.Fatalf("seg_pe_ranges %q", s)
		}
		out = append(out, Extent{PV: pv, First: first, Last: last})
	}
	return out
}

// Copy writes the file src into the disk at the ranges (disk-absolute),
// in order, sparsely (dd conv=sparse, so the target ranges must hold zeros,
// as a fresh sparse disk does): the ranges must add up to src's size.
func Copy(t testing.TB, disk, src string, ranges [][2]int64) {
	t.Helper()
	st, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	var pos int64
	for _, r := range ranges {
		testtool.Run(t, "dd", "if="+src, "of="+disk, "bs=512", "conv=notrunc,sparse", "status=none",
			fmt.Sprintf("skip=%d", pos/512), fmt.Sprintf("seek=%d", r[0]/512), fmt.Sprintf("count=%d", r[1]/512))
		pos += r[1]
	}
	if st.Size() != pos {
		t.Fatalf("copied %d bytes of the %d-byte %s", pos, st.Size(), src)
	}
}

// Extract concatenates the disk ranges into a new file and returns its path.
func Extract(t testing.TB, disk string, ranges [][2]int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lv.img")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var pos int64
	for _, r := range ranges {
		testtool.Run(t, "dd", "if="+disk, "of="+p, "bs=512", "conv=notrunc,sparse", "status=none",
			fmt.Sprintf("skip=%d", r[0]/512), fmt.Sprintf("seek=%d", pos/512), fmt.Sprintf("count=%d", r[1]/512))
		pos += r[1]
	}
	return p
}
