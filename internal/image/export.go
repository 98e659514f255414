package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ExportOptions says what Export writes. The zero value writes an
// uncompressed qcow2 with 64 KiB clusters of the same virtual size.
type ExportOptions struct {
	Format      Format // FormatQcow2 (default) or FormatRaw
	Compression string // "", "none", "zlib" or "zstd" (qcow2 only)
	ClusterSize int    // qcow2 cluster size, a power of two in [512, 2 MiB]; default 64 KiB
	VirtualSize int64  // 0: the source's size; larger grows the disk; smaller is ErrShrink; rounded up to 512
	// Discard lists byte ranges (free space the filesystems report) whose
	// content must not reach the output: they read as zeros there. Any
	// number, in any order, overlapping or not.
	Discard []Range
	// Progress, if set, is called from one goroutine with the bytes of the
	// virtual disk done so far and the total.
	Progress func(done, total int64)
	// Inputs are files the destination must not be (compared by identity,
	// so symlinks and hard links count). The files of a Disk under src
	// (directly or under an Overlay) are added automatically.
	Inputs []string
	// Workers bounds the goroutines reading and compressing; default
	// GOMAXPROCS.
	Workers int
}

// ExportResult describes the file Export wrote.
type ExportResult struct {
	Path           string
	Format         Format
	VirtualSize    int64
	FileSize       int64 // bytes the file spans (holes included)
	AllocatedBytes int64 // virtual bytes stored (data clusters or blocks); the rest reads as zeros
}

// Export writes src's content as a NEW image file at dst, replacing it
// atomically (temp file in the same directory, fsync, rename): on any
// error or cancellation dst is left as it was. Bytes in o.Discard and
// all-zero clusters are never stored.
func Export(ctx context.Context, src Image, dst string, o ExportOptions) (*ExportResult, error) {
	cfg, err := newExportConfig(src, dst, o)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w clusterWriter
	if cfg.format == FormatRaw {
		w, err = newRawWriter(tmp, cfg)
	} else {
		w, err = newQcow2Writer(tmp, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	if err := cfg.run(ctx, src, w); err != nil {
		w.abort()
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	allocated, err := w.finish()
	if err != nil {
		w.abort()
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("export %s: fsync: %w", dst, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	// Check again just before the rename: an input may have appeared at dst.
	if err := refuseInputs(dst, cfg.inputs); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return nil, fmt.Errorf("export %s: %w", dst, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all filesystems support it
		d.Close()
	}
	return &ExportResult{Path: dst, Format: cfg.format, VirtualSize: cfg.vsize, FileSize: fi.Size(), AllocatedBytes: allocated}, nil
}

// exportConfig is the validated form of ExportOptions.
type exportConfig struct {
	format      Format
	compression string // "" or "zlib"/"zstd"
	cluster     int64
	vsize       int64
	srcSize     int64
	discard     rangeSet
	progress    func(done, total int64)
	inputs      []string
	workers     int
}

func newExportConfig(src Image, dst string, o ExportOptions) (*exportConfig, error) {
	c := &exportConfig{format: o.Format, cluster: int64(o.ClusterSize), vsize: o.VirtualSize,
		srcSize: src.Size(), progress: o.Progress, workers: o.Workers}
	if c.format == "" {
		c.format = FormatQcow2
	}
	if c.format != FormatQcow2 && c.format != FormatRaw {
		return nil, fmt.Errorf("export %s: output format %q: %w (use qcow2 or raw)", dst, c.format, ErrUnsupported)
	}
	switch o.Compression {
	case "", "none":
	case "zlib", "zstd":
		if c.format != FormatQcow2 {
			return nil, fmt.Errorf("export %s: %s compression needs the qcow2 format: %w", dst, o.Compression, ErrUnsupported)
		}
		c.compression = o.Compression
	default:
		return nil, fmt.Errorf("export %s: compression %q: %w (use none, zlib or zstd)", dst, o.Compression, ErrUnsupported)
	}
	if c.cluster == 0 {
		c.cluster = 64 << 10
	}
	if c.cluster < 512 || c.cluster > 2<<20 || c.cluster&(c.cluster-1) != 0 {
		return nil, fmt.Errorf("export %s: cluster size %d is not a power of two in [512, 2 MiB]: %w", dst, c.cluster, ErrUnsupported)
	}
	if c.vsize == 0 {
		c.vsize = c.srcSize
	}
	if c.vsize < c.srcSize {
		return nil, fmt.Errorf("export %s: virtual size %d is smaller than the disk's %d: %w", dst, c.vsize, c.srcSize, ErrShrink)
	}
	// qemu counts disks in 512-byte sectors and drops a partial last one
	// (qcow2) or rounds the file up (raw): round up so nothing is lost.
	c.vsize = (c.vsize + 511) &^ 511
	if c.format == FormatQcow2 {
		if c.vsize > qcow2MaxVirtualSize {
			return nil, fmt.Errorf("export %s: virtual size %d: %w", dst, c.vsize, ErrUnsupported)
		}
		perL1 := c.cluster / 8 * c.cluster
		if (c.vsize+perL1-1)/perL1*8 > qcow2MaxL1Bytes {
			return nil, fmt.Errorf("export %s: virtual size %d needs an L1 table larger than qemu accepts with %d-byte clusters: %w",
				dst, c.vsize, c.cluster, ErrUnsupported)
		}
	}
	if c.workers <= 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	c.discard = newRangeSet(o.Discard, c.srcSize)
	c.inputs = append(inputFiles(src), o.Inputs...)
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("export %s: is a directory", dst)
	}
	if err := refuseInputs(dst, c.inputs); err != nil {
		return nil, err
	}
	return c, nil
}

// inputFiles returns the files an image reads, looking through overlays.
func inputFiles(img Image) []string {
	switch v := img.(type) {
	case *Disk:
		return v.Files()
	case *Overlay:
		return inputFiles(v.base)
	case *Section:
		return inputFiles(v.parent)
	}
	return nil
}

// refuseInputs returns ErrSameFile if dst is (by identity) one of inputs.
func refuseInputs(dst string, inputs []string) error {
	dfi, err := os.Stat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", dst, err)
	}
	for _, in := range inputs {
		if ifi, err := os.Stat(in); err == nil && os.SameFile(dfi, ifi) {
			return fmt.Errorf("export %s: %w (%s); write the new image elsewhere", dst, ErrSameFile, in)
		}
	}
	return nil
}

// clusterWriter lays out the output file. put is called in cluster order
// with each cluster that holds data (data nil-padded to the cluster size
// for the last one; compressed true if data is the compressed form).
type clusterWriter interface {
	put(idx int64, data []byte, compressed bool) error
	finish() (allocated int64, err error)
	abort() // stop background writes after a failure
}
