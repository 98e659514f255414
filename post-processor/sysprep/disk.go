package sysprep

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// Builder IDs of the artifacts this post-processor knows by name.
const (
	qemuBuilderID     = "transcend.qemu"
	fileBuilderID     = "packer.file"
	artificeBuilderID = "packer.post-processor.artifice"
)

// supportedHelp ends every "which disk?" error.
const supportedHelp = "supported inputs: the qemu builder (" + qemuBuilderID + "), the file builder (" + fileBuilderID +
	"), the artifice post-processor (" + artificeBuilderID + "), and any artifact with exactly one qcow2 or raw disk image among its files; " +
	"set disk_file to pick one when there are several"

// findDisk returns the path of the disk image to generalize.
func (c *Config) findDisk(a packersdk.Artifact) (string, error) {
	files := a.Files()
	if c.DiskFile != "" {
		return pickDiskFile(files, c.DiskFile)
	}
	switch a.BuilderId() {
	case qemuBuilderID:
		return qemuDisk(a)
	case fileBuilderID, artificeBuilderID:
		return onlyDisk(a.BuilderId(), files, true)
	default:
		return onlyDisk(a.BuilderId(), files, false)
	}
}

// pickDiskFile finds name among files (by path, then by base name).
func pickDiskFile(files []string, name string) (string, error) {
	for _, f := range files {
		if f == name || filepath.Clean(f) == filepath.Clean(name) {
			return f, nil
		}
	}
	var hits []string
	for _, f := range files {
		if filepath.Base(f) == name {
			hits = append(hits, f)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("disk_file %q is not among the artifact's files (%s)", name, strings.Join(files, ", "))
	default:
		return "", fmt.Errorf("disk_file %q matches several files (%s): give the path", name, strings.Join(hits, ", "))
	}
}

// qemuDisk reads the qemu builder's state: diskPaths (a []string that
// arrives as []interface{} over RPC), else the files named diskName.
func qemuDisk(a packersdk.Artifact) (string, error) {
	var paths []string
	switch v := a.State("diskPaths").(type) {
	case []string:
		paths = v
	case []interface{}:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				paths = append(paths, s)
			}
		}
	}
	if len(paths) == 0 {
		name, _ := a.State("diskName").(string)
		for _, f := range a.Files() {
			if name != "" && filepath.Base(f) == name {
				paths = append(paths, f)
			}
		}
	}
	switch len(paths) {
	case 1:
		return paths[0], nil
	case 0:
		// No state (an old or wrapped artifact): fall back to content.
		return onlyDisk(qemuBuilderID, a.Files(), false)
	default:
		return "", fmt.Errorf("the qemu artifact has %d disks (%s): set disk_file to the one to generalize", len(paths), strings.Join(paths, ", "))
	}
}

// onlyDisk returns the one file of files that holds a disk image. known
// says the builder is one whose files are disks by construction (file,
// artifice): a single file is then taken as is and checked by the engine.
func onlyDisk(builderID string, files []string, known bool) (string, error) {
	if known && len(files) == 1 {
		return files[0], nil
	}
	var disks []string
	for _, f := range files {
		if ok, _ := looksLikeDisk(f); ok {
			disks = append(disks, f)
		}
	}
	sort.Strings(disks)
	switch {
	case len(disks) == 1:
		return disks[0], nil
	case len(disks) > 1:
		return "", fmt.Errorf("the %s artifact has %d disk images (%s): set disk_file to the one to generalize", builderID, len(disks), strings.Join(disks, ", "))
	case len(files) == 0:
		return "", fmt.Errorf("the %s artifact has no files: %s", builderID, supportedHelp)
	default:
		return "", fmt.Errorf("no disk image among the %s artifact's files (%s): %s", builderID, strings.Join(files, ", "), supportedHelp)
	}
}

// looksLikeDisk sniffs a file: a qcow2 header, or a raw disk with an MBR or
// GPT signature, or a bare ext4, XFS or btrfs filesystem.
func looksLikeDisk(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false, err
	}
	// 68 KiB covers the MBR (0x1FE), the GPT header (LBA 1 for 512 and
	// 4096-byte sectors), the ext4 superblock (1024+0x38) and btrfs's (64 KiB+0x40).
	buf := make([]byte, 68<<10)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return false, err
	}
	buf = buf[:n]
	has := func(off int, magic []byte) bool {
		return len(buf) >= off+len(magic) && bytes.Equal(buf[off:off+len(magic)], magic)
	}
	switch {
	case has(0, []byte("QFI\xfb")): // qcow2
		return true, nil
	case has(512, []byte("EFI PART")), has(4096, []byte("EFI PART")): // GPT
		return true, nil
	case has(0x1FE, []byte{0x55, 0xAA}) && mbrHasPartition(buf): // MBR
		return true, nil
	case has(1024+0x38, []byte{0x53, 0xEF}): // ext2/3/4
		return true, nil
	case has(0, []byte("XFSB")): // XFS
		return true, nil
	case has(0x10000+0x40, []byte("_BHRfS_M")): // btrfs
		return true, nil
	}
	return false, nil
}

// mbrHasPartition tells an MBR from any file that happens to end its first
// sector with 55 AA: at least one entry with a known status byte, a type
// and a non-zero size.
func mbrHasPartition(sector []byte) bool {
	for i := 0; i < 4; i++ {
		e := sector[0x1BE+16*i : 0x1BE+16*(i+1)]
		status, typ := e[0], e[4]
		size := binary.LittleEndian.Uint32(e[12:16])
		if (status == 0x00 || status == 0x80) && typ != 0 && size != 0 {
			return true
		}
	}
	return false
}
