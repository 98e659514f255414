package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxBackingDepth is the longest backing chain Open follows (the top image
// not counted).
const MaxBackingDepth = 16

// Info describes an opened disk.
type Info struct {
	Path         string
	Format       Format
	VirtualSize  int64
	BackingChain []string // backing files, nearest first, as resolved paths
	ClusterSize  int64    // qcow2 only
	Compression  string   // qcow2 only: "zlib" or "zstd" (the header's type)
	ExtendedL2   bool     // qcow2 only
}

// Disk is an opened, read-only disk image: qcow2 (with its backing chain)
// or raw. It implements Image and Mapper; WriteAt returns ErrReadOnly.
type Disk struct {
	Info
	img Image
}

var (
	_ Image  = (*Disk)(nil)
	_ Mapper = (*Disk)(nil)
)

// Open opens the disk image at path read-only, detecting its format by
// content. It refuses, with an error naming the file and the format, what
// it cannot read faithfully: foreign formats (ErrUnsupported), encryption
// (ErrEncrypted), external data files, broken backing chains
// (ErrMissingBacking, ErrBackingLoop, ErrBackingDepth), truncated files
// (ErrTruncated) and inconsistent headers (ErrCorrupt); an empty file is
// ErrEmpty.
func Open(path string) (*Disk, error) {
	d := &Disk{Info: Info{Path: path}}
	img, err := openChain(path, "", nil, &d.Info)
	if err != nil {
		return nil, err
	}
	d.img = img
	d.VirtualSize = img.Size()
	return d, nil
}

func (d *Disk) Size() int64 { return d.img.Size() }

func (d *Disk) ReadAt(p []byte, off int64) (int, error) { return d.img.ReadAt(p, off) }

func (d *Disk) WriteAt(p []byte, off int64) (int, error) {
	return 0, fmt.Errorf("%s: %w (edits go to an Overlay)", d.Path, ErrReadOnly)
}

func (d *Disk) Close() error { return d.img.Close() }

// DataExtent implements Mapper.
func (d *Disk) DataExtent(off int64) (bool, int64, error) {
	if mp, ok := d.img.(Mapper); ok {
		return mp.DataExtent(off)
	}
	return true, d.img.Size() - off, nil
}

// Files returns the paths of every file the disk reads: the image and its
// backing chain. Export refuses to write over any of them.
func (d *Disk) Files() []string { return append([]string{d.Path}, d.BackingChain...) }

// openChain opens path as format ("" probes) below the images in seen.
// The top image's info goes to info; backing files are appended to
// info.BackingChain.
func openChain(path string, format Format, seen []os.FileInfo, info *Info) (Image, error) {
	f, err := os.Open(path)
	if err != nil {
		if len(seen) > 0 && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %v", ErrMissingBacking, err)
		}
		return nil, err
	}
	img, err := openFile(path, f, format, seen, info)
	if err != nil {
		f.Close()
		return nil, err
	}
	return img, nil
}

func openFile(path string, f *os.File, format Format, seen []os.FileInfo, info *Info) (Image, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fi.Mode().Type())
	}
	for _, s := range seen {
		if os.SameFile(s, fi) {
			return nil, fmt.Errorf("%s: %w: it is already an image above it in the chain", path, ErrBackingLoop)
		}
	}
	size := fi.Size()
	detected, err := probe(f, size, path)
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = detected
	}
	top := len(seen) == 0
	if top {
		info.Format = detected
	}
	switch format {
	case FormatRaw:
		return &rawImage{f: f, size: size, path: path}, nil
	case FormatQcow2:
		if detected != FormatQcow2 {
			return nil, &CorruptError{Path: path, Format: "qcow2", Field: "magic", Off: 0, Err: fmt.Errorf("backing format says qcow2: %w", ErrCorrupt)}
		}
	default:
		return nil, fmt.Errorf("%s: backing format %q: %w", path, format, ErrUnsupported)
	}
	m, err := readQcow2Meta(f, size, path)
	if err != nil {
		return nil, err
	}
	if top {
		info.ClusterSize, info.Compression, info.ExtendedL2 = m.clusterSize, m.compression(), m.extendedL2
	}
	var backing Image
	if m.backingName != "" {
		if len(seen) >= MaxBackingDepth {
			return nil, fmt.Errorf("%s: %w (more than %d files)", path, ErrBackingDepth, MaxBackingDepth)
		}
		bpath, err := resolveBacking(path, m.backingName)
		if err != nil {
			return nil, err
		}
		info.BackingChain = append(info.BackingChain, bpath)
		bformat := Format(m.backingFormat)
		backing, err = openChain(bpath, bformat, append(seen, fi), info)
		if err != nil {
			return nil, fmt.Errorf("%s: backing file %q: %w", path, m.backingName, err)
		}
	}
	l, err := newQcow2Layer(path, f, size, m, backing)
	if err != nil {
		if backing != nil {
			backing.Close()
		}
		return nil, err
	}
	return l, nil
}

// resolveBacking turns a backing file name into a path: relative names are
// relative to the directory of the image that names them, as in qemu.
// Protocol names (json:, nbd:, http:...) are refused.
func resolveBacking(image, name string) (string, error) {
	if i := strings.IndexByte(name, ':'); i > 0 && !strings.ContainsRune(name[:i], '/') {
		return "", fmt.Errorf("%s: backing file %q uses a protocol: %w", image, name, ErrUnsupported)
	}
	if filepath.IsAbs(name) {
		return name, nil
	}
	return filepath.Join(filepath.Dir(image), name), nil
}
