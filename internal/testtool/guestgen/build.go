package guestgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Options describe the disk Build makes.
type Options struct {
	// Dir receives the image (required; must exist).
	Dir string
	// Name of the image file; "" = "debian.qcow2" or "debian.img".
	Name string
	// Table is "gpt" (default: a BIOS boot partition 14 plus Linux
	// partitions, like Debian's cloud images), "mbr" or "none" (the root
	// filesystem is the whole disk).
	Table string
	// Format is "qcow2" (default) or "raw".
	Format string
	// Size is the virtual disk size in bytes; 0 = 2 GiB. Files are sparse.
	Size int64
	// Secret is written into every file the default operations delete
	// (see DebianTree); "" = a random 32-hex-digit string.
	Secret string
	// SeparateBoot puts /boot on its own ext4 filesystem with 1 KiB blocks.
	SeparateBoot bool
	// Tree is merged over DebianTree(Secret) (Remove deletes a path).
	Tree Tree
	// Distro is "debian" (default: DebianTree) or "rocky" (RockyTree).
	Distro string
	// FSType of the root filesystem: "ext4" (default) or "xfs" (made with
	// mkfs.xfs and filled through a read-write loop mount: needs root).
	// A separate /boot stays ext4.
	FSType string
	// Filler adds this many bytes of incompressible data in 4 MiB files
	// under /usr/lib/filler, so that the disk holds what a real system
	// holds (for benchmarks). Rounded up to 4 KiB.
	Filler int64
}

// Disk is what Build made.
type Disk struct {
	Path   string
	Format string // "qcow2" or "raw"
	Table  string // "gpt", "mbr" or "none"
	Size   int64  // virtual size
	Secret string
	// Filesystems, root first: where each ext4 lies on the virtual disk.
	Filesystems []Filesystem
}

// Filesystem is one ext4 filesystem of a built disk.
type Filesystem struct {
	Partition  int    // 1-based partition number; 0 for a whole-disk filesystem
	Label      string // GPT partition name ("root", "boot"); "" for MBR
	Mountpoint string // "/" or "/boot"
	Off, Size  int64  // bytes on the virtual disk
	UUID       string
	BlockSize  int
	Type       string // "ext4" or "xfs"
}

// Root returns the root filesystem.
func (d *Disk) Root() Filesystem { return d.Filesystems[0] }

const (
	kernelVersion = "6.1.0-28-cloud-amd64"
	sector        = 512
	mib           = 1 << 20
	bootSize      = 256 * mib
)

// Build makes the disk with the real tools: mkfs.ext4 -d (with owners when
// run as root), sgdisk or sfdisk, and qemu-img convert for qcow2.
func Build(ctx context.Context, o Options) (*Disk, error) {
	if o.Dir == "" {
		return nil, errors.New("guestgen: Options.Dir is required")
	}
	if o.Table == "" {
		o.Table = "gpt"
	}
	if o.Format == "" {
		o.Format = "qcow2"
	}
	if o.Distro == "" {
		o.Distro = "debian"
	}
	if o.FSType == "" {
		o.FSType = "ext4"
	}
	if o.Size == 0 {
		o.Size = 2 << 30
	}
	if o.Secret == "" {
		o.Secret = randomHex(16)
	}
	switch {
	case o.Table != "gpt" && o.Table != "mbr" && o.Table != "none":
		return nil, fmt.Errorf("guestgen: table %q: want gpt, mbr or none", o.Table)
	case o.Format != "qcow2" && o.Format != "raw":
		return nil, fmt.Errorf("guestgen: format %q: want qcow2 or raw", o.Format)
	case o.Distro != "debian" && o.Distro != "rocky":
		return nil, fmt.Errorf("guestgen: distro %q: want debian or rocky", o.Distro)
	case o.FSType != "ext4" && o.FSType != "xfs":
		return nil, fmt.Errorf("guestgen: fstype %q: want ext4 or xfs", o.FSType)
	case o.Table == "none" && o.SeparateBoot:
		return nil, errors.New("guestgen: a separate /boot needs a partition table")
	case o.Size%mib != 0 || o.Size < 64*mib || (o.SeparateBoot && o.Size < bootSize+128*mib):
		return nil, fmt.Errorf("guestgen: size %d: want a multiple of 1 MiB, at least 64 MiB (384 MiB with /boot)", o.Size)
	}
	if o.Name == "" {
		o.Name = o.Distro + ".qcow2"
		if o.Format == "raw" {
			o.Name = o.Distro + ".img"
		}
	}
	work, err := os.MkdirTemp(workDir(o), ".guestgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	d := &Disk{Path: filepath.Join(o.Dir, o.Name), Format: o.Format, Table: o.Table, Size: o.Size, Secret: o.Secret}
	d.Filesystems = layout(o)
	d.Filesystems[0].Type = o.FSType
	raw := filepath.Join(work, "disk.raw")
	if err := os.WriteFile(raw, nil, 0o644); err != nil {
		return nil, err
	}
	if err := os.Truncate(raw, o.Size); err != nil {
		return nil, err
	}
	if err := partition(ctx, raw, o, d.Filesystems); err != nil {
		return nil, err
	}

	root, boot := d.Filesystems[0], Filesystem{}
	tree := DebianTree(o.Secret)
	if o.Distro == "rocky" {
		tree = RockyTree(o.Secret)
	}
	bootFiles := bootTree()
	if o.SeparateBoot {
		boot = d.Filesystems[1]
	} else {
		for p, f := range bootFiles {
			tree["boot/"+p] = f
		}
	}
	tree["etc/fstab"] = Text(fstab(o.FSType, root.UUID, boot.UUID))
	tree["vmlinuz"] = Symlink("boot/vmlinuz-" + kernelVersion) // resolves across the /boot mount
	tree["initrd.img"] = Symlink("boot/initrd.img-" + kernelVersion)
	tree = tree.Merge(o.Tree)
	if o.Filler > 0 {
		if o.Filler > o.Size/2 {
			return nil, fmt.Errorf("guestgen: filler %d bytes does not fit a %d-byte disk (at most half)", o.Filler, o.Size)
		}
		for p, f := range filler(o.Filler, o.Secret) {
			tree[p] = f
		}
	}
	if err := makeFS(ctx, work, "root", tree, root, raw); err != nil {
		return nil, err
	}
	if o.SeparateBoot {
		if err := makeFS(ctx, work, "boot", bootFiles, boot, raw); err != nil {
			return nil, err
		}
	}

	tmpOut := d.Path + ".partial"
	defer os.Remove(tmpOut)
	if o.Format == "qcow2" {
		// -t unsafe: no flush; these are test fixtures, not backups.
		if err := command(ctx, nil, "qemu-img", "convert", "-q", "-t", "unsafe", "-f", "raw", "-O", "qcow2", raw, tmpOut); err != nil {
			return nil, err
		}
	} else {
		if err := os.WriteFile(tmpOut, nil, 0o644); err != nil {
			return nil, err
		}
		if err := os.Truncate(tmpOut, o.Size); err != nil {
			return nil, err
		}
		if err := copySparse(raw, tmpOut, 0); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(tmpOut, d.Path); err != nil {
		return nil, err
	}
	return d, nil
}

// workDir is where the intermediate files go: /dev/shm when it has room
// (mkfs.ext4, sgdisk and qemu-img fsync their files, which costs seconds
// per fixture on a real disk), else next to the output.
func workDir(o Options) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil {
		free := int64(st.Bavail) * int64(st.Bsize)
		if free > 3*o.Filler+512*mib && syscall.Access("/dev/shm", 2 /* W_OK */) == nil {
			return "/dev/shm"
		}
	}
	return o.Dir
}

// layout places the filesystems (root first).
func layout(o Options) []Filesystem {
	n := o.Size / sector
	first := int64(2048)
	end := (n/2048)*2048 - 1 // last sector of the last partition, MiB-aligned end
	if o.Table == "gpt" {
		first = 8192 // 2048..8191 is the BIOS boot partition 14
		end = ((n-33)/2048)*2048 - 1
	}
	if o.Table == "none" {
		return []Filesystem{{Mountpoint: "/", Off: 0, Size: o.Size, UUID: uuid(), BlockSize: 4096, Type: "ext4"}}
	}
	var fss []Filesystem
	num := 1
	start := first
	if o.SeparateBoot {
		fss = append(fss, Filesystem{Partition: num, Mountpoint: "/boot", Off: start * sector, Size: bootSize, UUID: uuid(), BlockSize: 1024, Type: "ext4"})
		start += bootSize / sector
		num++
	}
	rootFS := Filesystem{Partition: num, Mountpoint: "/", Off: start * sector, Size: (end - start + 1) * sector, UUID: uuid(), BlockSize: 4096, Type: "ext4"}
	fss = append([]Filesystem{rootFS}, fss...)
	if o.Table == "gpt" {
		for i := range fss {
			fss[i].Label = strings.TrimPrefix(fss[i].Mountpoint, "/")
			if fss[i].Label == "" {
				fss[i].Label = "root"
			}
		}
	}
	return fss
}

// partition writes the table with sgdisk (GPT) or sfdisk (MBR).
func partition(ctx context.Context, raw string, o Options, fss []Filesystem) error {
	switch o.Table {
	case "gpt":
		args := []string{"-Z", "-n", "14:2048:8191", "-t", "14:EF02", "-c", "14:bios"}
		for _, f := range fss {
			n := strconv.Itoa(f.Partition)
			args = append(args, "-n", fmt.Sprintf("%s:%d:%d", n, f.Off/sector, (f.Off+f.Size)/sector-1),
				"-t", n+":8300", "-c", n+":"+f.Label)
		}
		return command(ctx, nil, "sgdisk", append(args, raw)...)
	case "mbr":
		var script strings.Builder
		script.WriteString("label: dos\nunit: sectors\n\n")
		for i := len(fss) - 1; i >= 0; i-- { // by partition number
			f := fss[i]
			fmt.Fprintf(&script, "start=%d, size=%d, type=83", f.Off/sector, f.Size/sector)
			if f.Partition == 1 {
				script.WriteString(", bootable")
			}
			script.WriteString("\n")
		}
		return command(ctx, strings.NewReader(script.String()), "sfdisk", "-q", raw)
	}
	return nil
}

// makeFS runs mkfs.ext4 -d on tree into its own sparse file and copies it
// into the disk at the filesystem's offset, skipping holes.
func makeFS(ctx context.Context, work, name string, tree Tree, f Filesystem, raw string) error {
	src := filepath.Join(work, name+".d")
	if err := os.Mkdir(src, 0o755); err != nil {
		return err
	}
	if err := tree.WriteDir(src); err != nil {
		return fmt.Errorf("guestgen: %s tree: %w", name, err)
	}
	if f.Type == "xfs" {
		return makeXFS(ctx, work, name, src, f, raw)
	}
	img := filepath.Join(work, name+".ext4")
	args := []string{"-q", "-F", "-t", "ext4", "-b", strconv.Itoa(f.BlockSize), "-U", f.UUID,
		"-E", "root_owner=0:0", "-d", src, img, strconv.FormatInt(f.Size/1024, 10) + "k"}
	if err := command(ctx, nil, "mkfs.ext4", args...); err != nil {
		return err
	}
	if err := copySparse(img, raw, f.Off); err != nil {
		return fmt.Errorf("guestgen: copy %s into the disk: %w", name, err)
	}
	return os.Remove(img)
}

// copySparse copies the data extents of src into dst at off.
func copySparse(src, dst string, off int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	st, err := in.Stat()
	if err != nil {
		out.Close()
		return err
	}
	buf := make([]byte, 4*mib)
	const seekData, seekHole = 3, 4
	for pos := int64(0); pos < st.Size(); {
		data, err := in.Seek(pos, seekData)
		if err != nil {
			break // ENXIO: no data after pos
		}
		hole, err := in.Seek(data, seekHole)
		if err != nil {
			hole = st.Size()
		}
		for p := data; p < hole; {
			n := min(int64(len(buf)), hole-p)
			if _, err := in.ReadAt(buf[:n], p); err != nil && err != io.EOF {
				out.Close()
				return err
			}
			if !allZero(buf[:n]) {
				if _, err := out.WriteAt(buf[:n], off+p); err != nil {
					out.Close()
					return err
				}
			}
			p += n
		}
		pos = hole
	}
	return out.Close()
}

// filler returns files of pseudo-random bytes (seeded by the secret)
// totalling n bytes, in 4 MiB files.
func filler(n int64, secret string) Tree {
	const chunk = 4 * mib
	seed := sha256.Sum256([]byte("filler:" + secret))
	rng := mathrand.NewChaCha8(seed)
	t := Tree{}
	for i := 0; n > 0; i++ {
		size := min(n, chunk)
		size = (size + 4095) &^ 4095
		b := make([]byte, size)
		_, _ = rng.Read(b)
		t[fmt.Sprintf("usr/lib/filler/blob%04d.so", i)] = Text(string(b))
		n -= size
	}
	return t
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func command(ctx context.Context, stdin io.Reader, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("guestgen: %s %s: %w\n%s", name, strings.Join(args, " "), err, b.String())
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

func uuid() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func fstab(rootType, rootUUID, bootUUID string) string {
	opts := "rw,discard,errors=remount-ro,x-systemd.growfs"
	if rootType == "xfs" {
		opts = "defaults,x-systemd.growfs"
	}
	s := "# /etc/fstab: static file system information.\n" +
		"# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n" +
		"UUID=" + rootUUID + " / " + rootType + " " + opts + " 0 1\n"
	if bootUUID != "" {
		s += "UUID=" + bootUUID + " /boot ext4 defaults 0 2\n"
	}
	return s
}

// bootTree is /boot: a kernel, an initrd and GRUB's files (stand-ins of a
// few KiB each, not bootable).
func bootTree() Tree {
	const k = kernelVersion
	return Tree{
		"vmlinuz-" + k:            Text("MZ\x00fake bzImage " + strings.Repeat("k", 48<<10)),
		"initrd.img-" + k:         Text("\x1f\x8b\x08\x00fake initramfs " + strings.Repeat("i", 96<<10)),
		"config-" + k:             Text("CONFIG_EXT4_FS=y\nCONFIG_VIRTIO_BLK=y\n"),
		"System.map-" + k:         Text("ffffffff81000000 T _stext\n"),
		"grub/grub.cfg":           Owned("set default=0\nmenuentry 'Debian GNU/Linux' {\n  linux /vmlinuz-"+k+" ro console=ttyS0\n}\n", 0o444, 0, 0),
		"grub/grubenv":            Text("# GRUB Environment Block\n" + strings.Repeat("#", 1024-25)),
		"grub/i386-pc":            Dir(0o755, 0, 0),
		"grub/i386-pc/normal.mod": Text("\x7fELF normal.mod"),
	}
}
