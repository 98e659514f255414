package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4" // registers the ext4 engine
	_ "github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/xfs"  // registers the XFS engine
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

// run is the job's flow: open → overlay → guest → sysprep → flush →
// free ranges → export. Everything before the export happens in memory
// (the overlay), so a failure or a cancellation leaves nothing behind, and
// the export itself is atomic.
func run(ctx context.Context, j Job) (*Result, error) {
	start := time.Now()
	logf := j.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var warnMu sync.Mutex
	var warnings []string
	warnf := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		warnMu.Lock()
		warnings = append(warnings, msg)
		warnMu.Unlock()
		if j.Warnf != nil {
			j.Warnf("%s", msg)
		}
	}

	disk, err := image.Open(j.Input)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == j.Input {
			return nil, pe.Err // "disk.qcow2: no such file or directory", not "open disk.qcow2: ..."
		}
		return nil, err
	}
	defer disk.Close()
	logf("%s: %s, %d bytes virtual", j.Input, disk.Format, disk.VirtualSize)
	for _, b := range disk.BackingChain {
		logf("%s: backing file %s", j.Input, b)
	}
	if err := checkOutput(j, disk); err != nil {
		return nil, err
	}
	format, comp, err := outputFormat(j, disk, warnf)
	if err != nil {
		return nil, err
	}

	tempDir := ""
	if j.Output != "" {
		tempDir = filepath.Dir(j.Output) // spill next to the output, not in a small /tmp
	}
	ov := image.NewOverlay(disk, image.OverlayOptions{TempDir: tempDir, MemoryLimit: overlayMemory})
	defer ov.Close()

	name := filepath.Base(j.Input)
	m, err := guest.Open(ctx, ov, guest.Options{Name: name, ReadOnly: false})
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			m.Close()
		}
	}()
	for _, w := range m.Warnings {
		warnf("%s", w)
	}
	res := &Result{Input: j.Input, Output: j.Output, DryRun: j.DryRun, Guest: guestInfo(m.Guest)}
	logf("guest: %s (%s %s, %s family), %d filesystems", res.Guest.PrettyName, res.Guest.Distro, res.Guest.Version, res.Guest.Family, len(res.Guest.Filesystems))

	plan := j.Plan
	if plan == nil {
		plan = sysprep.DefaultPlan()
	}
	rep, err := sysprep.Run(ctx, m.Guest, m.Root, plan, sysprep.RunOptions{
		Logf: logf, Warnf: warnf, Stdout: j.Stdout, Progress: j.OnOperation,
	})
	if err != nil {
		return nil, err
	}
	res.Operations = rep.Operations

	// Flush every filesystem into the overlay, then ask for the free space
	// of the final state: blocks freed at close are discarded too, and no
	// block written at close can be discarded by mistake.
	closed = true
	if err := m.Close(); err != nil {
		return nil, fmt.Errorf("flushing the filesystems: %w", err)
	}
	free, err := m.FreeRanges()
	if err != nil {
		return nil, err
	}
	var freeBytes int64
	for _, r := range free {
		freeBytes += r.Len
	}
	logf("%s: %d bytes of free space discarded", j.Input, freeBytes)

	res.Format, res.Compression = string(format), comp
	res.VirtualSize = max(j.DiskSize, disk.VirtualSize)
	if j.DryRun {
		res.Warnings = warnings
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	exp, err := image.Export(ctx, ov, j.Output, image.ExportOptions{
		Format:      format,
		Compression: comp,
		VirtualSize: j.DiskSize,
		Discard:     free,
		Progress:    j.Progress,
		Inputs:      disk.Files(),
	})
	if err != nil {
		return nil, err
	}
	res.Output = exp.Path
	res.VirtualSize = exp.VirtualSize
	if st, err := os.Stat(exp.Path); err == nil {
		res.FileSize = st.Size()
	} else {
		res.FileSize = exp.FileSize
	}
	res.Warnings = warnings
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// outputFormat settles the output's format and compression. Without an
// explicit format the output's extension decides (".qcow2" → qcow2, ".raw"
// or ".img" → raw), else the input's format; an explicit format that
// contradicts the extension is kept, with a warning. Compression needs qcow2.
func outputFormat(j Job, disk *image.Disk, warnf func(string, ...any)) (image.Format, string, error) {
	ext := strings.ToLower(filepath.Ext(j.Output))
	byExt := image.Format("")
	switch ext {
	case ".qcow2":
		byExt = image.FormatQcow2
	case ".raw", ".img":
		byExt = image.FormatRaw
	}
	format := j.Format
	switch {
	case format == "" && byExt != "":
		format = byExt
	case format == "":
		format = disk.Format
	case byExt != "" && byExt != format && !j.DryRun:
		warnf("output %s will be %s as asked, despite its %s name", j.Output, format, ext)
	}
	comp := j.Compression
	if comp == "" {
		comp = "none"
	}
	if format == image.FormatRaw && comp != "none" {
		return "", "", fmt.Errorf("compression %s needs a qcow2 output but the output is raw: name the output *.qcow2 or set the output format to qcow2: %w", comp, ErrUsage)
	}
	return format, comp, nil
}

// checkOutput refuses, before any work, an output that is one of the input
// files (also through links) or a disk size that would shrink the disk.
func checkOutput(j Job, disk *image.Disk) error {
	if j.DiskSize != 0 && j.DiskSize < disk.VirtualSize {
		return fmt.Errorf("disk size %d is smaller than the image's %d bytes: sysprep only grows disks (%w)", j.DiskSize, disk.VirtualSize, image.ErrShrink)
	}
	if j.Output == "" {
		return nil
	}
	dir := filepath.Dir(j.Output)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("output %s: the directory %s does not exist: create it first: %w", j.Output, dir, ErrUsage)
	}
	out, err := os.Stat(j.Output)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("output %s: %w", j.Output, err)
	}
	if out.IsDir() {
		return fmt.Errorf("output %s is a directory: give a file path: %w", j.Output, ErrUsage)
	}
	for _, f := range disk.Files() {
		if in, err := os.Stat(f); err == nil && os.SameFile(in, out) {
			return fmt.Errorf("output %s is the input file %s (%w): the input is never modified; choose another output path", j.Output, f, image.ErrSameFile)
		}
	}
	return nil
}

func guestInfo(g *guest.Guest) GuestInfo {
	gi := GuestInfo{Filesystems: []FilesystemInfo{}}
	if g == nil {
		return gi
	}
	gi.Distro, gi.Version, gi.PrettyName, gi.Family = g.Distro, g.VersionID, g.PrettyName, string(g.Family)
	for _, f := range g.Filesystems {
		gi.Filesystems = append(gi.Filesystems, FilesystemInfo{Volume: f.Volume, Type: f.Type, UUID: f.UUID, Mountpoint: f.Mountpoint})
	}
	return gi
}

// overlayMemory bounds the edits kept in memory before the overlay spills
// to a temp file, so a whole job stays well under 200 MiB of RSS whatever
// the image size (the export itself needs about 20 MiB).
const overlayMemory = 64 << 20
