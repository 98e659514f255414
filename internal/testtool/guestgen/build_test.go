package guestgen

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestBuild(t *testing.T) {
	testtool.Need(t, "mkfs.ext4", "sgdisk", "sfdisk", "qemu-img", "e2fsck")
	for _, o := range []Options{
		{Table: "gpt", Format: "qcow2"},
		{Table: "mbr", Format: "raw", SeparateBoot: true, Size: 512 << 20},
		{Table: "none", Format: "raw", Size: 256 << 20, Tree: Tree{"etc/hostname": Text("custom\n"), "tmp": Remove}},
	} {
		name := o.Table + "-" + o.Format + "-boot=" + strconv.FormatBool(o.SeparateBoot)
		t.Run(name, func(t *testing.T) {
			o.Dir = t.TempDir()
			o.Secret = "SeCrEt0123"
			d, err := Build(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if got := testtool.QemuVirtualSize(t, d.Path); got != d.Size {
				t.Fatalf("virtual size %d, want %d", got, d.Size)
			}
			raw := d.Path
			if d.Format == "qcow2" {
				testtool.QemuCheck(t, d.Path)
				raw = filepath.Join(t.TempDir(), "disk.raw")
				testtool.QemuConvert(t, d.Path, raw, "raw")
			}
			switch d.Table {
			case "gpt":
				out := testtool.Run(t, "sgdisk", "-v", raw)
				if !strings.Contains(out, "No problems found") {
					t.Fatalf("sgdisk -v: %s", out)
				}
				testtool.Run(t, "sgdisk", "-i", "1", raw) // partition 1 exists
			case "mbr":
				out := testtool.Run(t, "sfdisk", "-d", raw)
				if !strings.Contains(out, "label: dos") {
					t.Fatalf("sfdisk -d: %s", out)
				}
			}
			for _, f := range d.Filesystems {
				part := extract(t, raw, f)
				testtool.Fsck(t, "ext4", part)
				out := testtool.Debugfs(t, part, "stats")
				if !strings.Contains(out, strings.ToLower(f.UUID)) || !strings.Contains(out, "Block size:               "+strconv.Itoa(f.BlockSize)) {
					t.Fatalf("%s: debugfs stats: UUID %s / block size %d not found:\n%s", f.Mountpoint, f.UUID, f.BlockSize, out)
				}
			}
			if os.Geteuid() != 0 {
				return
			}
			root := d.Root()
			mnt := testtool.Mount(t, "ext4", raw, root.Off, root.Size)
			snap := testtool.Snapshot(t, mnt)
			want := map[string]string{
				"home/debian":                    "d 0700 1000:1000",
				"tmp":                            "d 1777 0:0",
				"usr/bin/passwd":                 "f 4755 0:0",
				"etc/shadow":                     "f 0640 0:42",
				"var/run":                        "l 0777 0:0 -> /run",
				"bin":                            "l 0777 0:0 -> usr/bin",
				"var/spool/cron/crontabs/debian": "f 0600 1000:101",
			}
			if o.Table == "none" {
				want["tmp"] = ""
				want["etc/hostname"] = "f 0644 0:0 7"
			}
			for p, w := range want {
				got := snap[p]
				if !strings.HasPrefix(got, w) || (w == "" && got != "") {
					t.Errorf("%s: %q, want prefix %q", p, got, w)
				}
			}
			fstab, err := os.ReadFile(filepath.Join(mnt, "etc/fstab"))
			if err != nil || !strings.Contains(string(fstab), "UUID="+root.UUID+" / ext4") {
				t.Fatalf("fstab: %v %s", err, fstab)
			}
			if o.SeparateBoot && !strings.Contains(string(fstab), "UUID="+d.Filesystems[1].UUID+" /boot ext4") {
				t.Fatalf("fstab has no /boot: %s", fstab)
			}
			hist, _ := os.ReadFile(filepath.Join(mnt, "root/.bash_history"))
			shadow, _ := os.ReadFile(filepath.Join(mnt, "etc/shadow"))
			if !strings.Contains(string(hist), o.Secret) || strings.Contains(string(shadow), o.Secret) || !strings.Contains(string(shadow), HashSecret(o.Secret)) {
				t.Fatalf("secret placement wrong:\n%s\n%s", hist, shadow)
			}
			tz, _ := os.ReadFile(filepath.Join(mnt, "usr/share/zoneinfo/Europe/London"))
			if !strings.HasPrefix(string(tz), "TZif") {
				t.Fatalf("zoneinfo: %q", tz[:min(len(tz), 16)])
			}
		})
	}
}

func TestTZifFallback(t *testing.T) {
	b := tzif("GMT", "GMT0BST,M3.5.0/1,M10.5.0")
	// header 44 + ttinfo 6 + "GMT\0" 4, twice, then the footer.
	if len(b) != 2*(44+6+4)+len("\nGMT0BST,M3.5.0/1,M10.5.0\n") || string(b[:5]) != "TZif2" {
		t.Fatalf("tzif: %d bytes %q", len(b), b[:5])
	}
}

func TestMerge(t *testing.T) {
	base := Tree{"etc/a": Text("a"), "var/log/x": Text("x"), "var/log/y/z": Text("z")}
	got := base.Merge(Tree{"/var/log/y": Remove, "etc/b": Text("b")})
	if len(got) != 3 || got["etc/b"].Data != "b" || got["var/log/x"].Data != "x" {
		t.Fatalf("Merge: %v", got)
	}
}

// extract copies one filesystem out of a raw disk into its own file.
func extract(t *testing.T, raw string, f Filesystem) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fs.img")
	testtool.Run(t, "dd", "if="+raw, "of="+p, "bs=1M", "iflag=skip_bytes,count_bytes",
		"skip="+strconv.FormatInt(f.Off, 10), "count="+strconv.FormatInt(f.Size, 10), "conv=sparse", "status=none")
	return p
}

func TestFiller(t *testing.T) {
	a, b := filler(9<<20+1, "s"), filler(9<<20+1, "s")
	var total int
	for p, f := range a {
		if !strings.HasPrefix(p, "usr/lib/filler/") || b[p].Data != f.Data {
			t.Fatalf("%s: not deterministic or misplaced", p)
		}
		total += len(f.Data)
	}
	if len(a) != 3 || total != 9<<20+4096 {
		t.Fatalf("%d files, %d bytes", len(a), total)
	}
	if c := filler(4096, "t"); c["usr/lib/filler/blob0000.so"].Data == a["usr/lib/filler/blob0000.so"].Data[:4096] {
		t.Fatal("the seed does not depend on the secret")
	}
}
