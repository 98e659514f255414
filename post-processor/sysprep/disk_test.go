package sysprep

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// diskFixtures makes, with the real tools, one file of each kind the
// sniffer must recognize, plus files it must not take for a disk.
func diskFixtures(t *testing.T) map[string]string {
	t.Helper()
	testtool.Need(t, "qemu-img", "sgdisk", "sfdisk", "mkfs.ext4", "mkfs.xfs", "mkfs.btrfs")
	dir := t.TempDir()
	path := func(n string) string { return filepath.Join(dir, n) }
	sparse := func(n string, size int64) string {
		p := path(n)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f := map[string]string{}
	f["qcow2"] = path("disk.qcow2")
	testtool.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", f["qcow2"], "64M")
	f["gpt"] = sparse("gpt.img", 64<<20)
	testtool.Run(t, "sgdisk", "-n", "1:2048:0", "-t", "1:8300", f["gpt"])
	f["mbr"] = sparse("mbr.img", 64<<20)
	runStdin(t, "label: dos\n2048,,83\n", "sfdisk", "-q", f["mbr"])
	f["ext4"] = sparse("ext4.img", 64<<20)
	testtool.Run(t, "mkfs.ext4", "-q", "-F", f["ext4"])
	f["xfs"] = sparse("xfs.img", 300<<20)
	testtool.Run(t, "mkfs.xfs", "-q", "-f", f["xfs"])
	f["btrfs"] = sparse("btrfs.img", 128<<20)
	testtool.Run(t, "mkfs.btrfs", "-q", "-f", f["btrfs"])
	f["empty"] = sparse("empty.img", 64<<20)
	f["text"] = path("notes.txt")
	if err := os.WriteFile(f["text"], []byte("not a disk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A 512-byte file ending in 55 AA without partitions (a boot sector
	// stub, or chance): not a disk.
	stub := make([]byte, 512)
	stub[510], stub[511] = 0x55, 0xAA
	f["stub"] = path("stub.bin")
	if err := os.WriteFile(f["stub"], stub, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func runStdin(t *testing.T, stdin, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func TestLooksLikeDisk(t *testing.T) {
	f := diskFixtures(t)
	for kind, want := range map[string]bool{
		"qcow2": true, "gpt": true, "mbr": true, "ext4": true, "xfs": true, "btrfs": true,
		"empty": false, "text": false, "stub": false,
	} {
		got, err := looksLikeDisk(f[kind])
		if err != nil || got != want {
			t.Errorf("%s: looksLikeDisk = %v, %v; want %v", kind, got, err, want)
		}
	}
	if ok, err := looksLikeDisk(filepath.Dir(f["text"])); ok || err != nil {
		t.Errorf("a directory: %v, %v", ok, err)
	}
}

func TestFindDisk(t *testing.T) {
	f := diskFixtures(t)
	for _, tc := range []struct {
		name     string
		cfg      Config
		art      *packersdk.MockArtifact
		want     string
		wantErrs []string
	}{
		{
			name: "qemu diskPaths over RPC",
			art: &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID, FilesValue: []string{f["text"], f["qcow2"]},
				StateValues: map[string]interface{}{"diskPaths": []interface{}{f["qcow2"]}, "diskName": "other"}},
			want: f["qcow2"],
		},
		{
			name: "qemu diskName",
			art: &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID, FilesValue: []string{f["text"], f["gpt"]},
				StateValues: map[string]interface{}{"diskName": "gpt.img"}},
			want: f["gpt"],
		},
		{
			name: "qemu without state: by content",
			art:  &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID, FilesValue: []string{f["text"], f["ext4"]}},
			want: f["ext4"],
		},
		{
			name: "qemu with two disks",
			art: &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID, FilesValue: []string{f["qcow2"], f["gpt"]},
				StateValues: map[string]interface{}{"diskPaths": []interface{}{f["qcow2"], f["gpt"]}}},
			wantErrs: []string{"2 disks", "disk_file"},
		},
		{
			name: "file builder",
			art:  &packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{f["mbr"]}},
			want: f["mbr"],
		},
		{
			name: "artifice with a manifest next to the disk",
			art:  &packersdk.MockArtifact{BuilderIdValue: artificeBuilderID, FilesValue: []string{f["text"], f["btrfs"]}},
			want: f["btrfs"],
		},
		{
			name: "unknown builder, one disk among files",
			art:  &packersdk.MockArtifact{BuilderIdValue: "vendor.builder", FilesValue: []string{f["text"], f["xfs"], f["stub"]}},
			want: f["xfs"],
		},
		{
			name: "disk_file picks among several",
			cfg:  Config{DiskFile: "gpt.img"},
			art:  &packersdk.MockArtifact{BuilderIdValue: "vendor.builder", FilesValue: []string{f["qcow2"], f["gpt"]}},
			want: f["gpt"],
		},
		{
			name:     "unknown builder, several disks",
			art:      &packersdk.MockArtifact{BuilderIdValue: "vendor.builder", FilesValue: []string{f["qcow2"], f["gpt"]}},
			wantErrs: []string{"2 disk images", "disk_file"},
		},
		{
			name:     "unknown builder, no disk",
			art:      &packersdk.MockArtifact{BuilderIdValue: "vendor.builder", FilesValue: []string{f["text"], f["empty"]}},
			wantErrs: []string{"no disk image", qemuBuilderID, fileBuilderID, artificeBuilderID, "disk_file"},
		},
		{
			name:     "no files at all",
			art:      &packersdk.MockArtifact{BuilderIdValue: "mitchellh.amazonebs", FilesValue: []string{}},
			wantErrs: []string{"no files", qemuBuilderID, "disk_file"},
		},
		{
			name:     "disk_file not in the artifact",
			cfg:      Config{DiskFile: "nope.qcow2"},
			art:      &packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{f["qcow2"]}},
			wantErrs: []string{`disk_file "nope.qcow2"`},
		},
	} {
		got, err := tc.cfg.findDisk(tc.art)
		if len(tc.wantErrs) > 0 {
			if err == nil {
				t.Errorf("%s: got %q, want an error", tc.name, got)
				continue
			}
			for _, w := range tc.wantErrs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q lacks %q", tc.name, err, w)
				}
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
