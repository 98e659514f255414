package guest

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"sort"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// reopenWritable reopens the root and every mounted filesystem writable
// and rebuilds the mount tree on them.
func (m *Mounted) reopenWritable(rootIdx int) error {
	reopen := func(i int) error {
		f := &m.Filesystems[i]
		if !f.ReadOnly {
			return nil // mounted twice
		}
		if err := f.FS.Close(); err != nil {
			return fmt.Errorf("%s: %w", f.Volume.Name, err)
		}
		rw, err := f.engine.Open(f.Volume.Image, fs.OpenOptions{Name: f.Volume.Name})
		if err != nil {
			f.FS = closedFS{}
			return fmt.Errorf("opening %s for writing: %w", f.Volume.Name, err)
		}
		f.FS, f.ReadOnly = rw, false
		return nil
	}
	if err := reopen(rootIdx); err != nil {
		return err
	}
	for _, pm := range m.mounts {
		if err := reopen(pm.fs); err != nil {
			return err
		}
	}
	m.Root = NewRoot(m.Filesystems[rootIdx].FS)
	for _, pm := range m.mounts {
		if err := m.Root.Mount(pm.point, m.Filesystems[pm.fs].FS); err != nil {
			return err
		}
	}
	return nil
}

// closedFS stands in for a filesystem whose reopen failed, so closeAll
// does not close it twice.
type closedFS struct{ fs.FS }

func (closedFS) Close() error { return nil }

// FreeRanges returns the disk-absolute byte ranges no filesystem uses,
// sorted and merged: each opened filesystem's free ranges and every swap
// area except its header page, and the LVM2 PV extents no LV uses; an LV's
// ranges are translated through its segments. Volumes with no recognised filesystem
// contribute nothing (they are copied as they are). Call it after Close to
// get the final state: the engines keep their allocation maps after Close.
func (m *Mounted) FreeRanges() ([]image.Range, error) {
	var out []image.Range
	for _, f := range m.Filesystems {
		rs, err := f.FS.FreeRanges()
		if err != nil {
			return nil, fmt.Errorf("%s: free ranges: %w", f.Volume.Name, err)
		}
		for _, r := range rs {
			if r.Off < 0 || r.Len < 0 || r.Off > f.Volume.Size || r.Len > f.Volume.Size-r.Off {
				return nil, fmt.Errorf("%s: free range [%d, +%d) lies outside the %d-byte volume: %w",
					f.Volume.Name, r.Off, r.Len, f.Volume.Size, fs.ErrCorrupt)
			}
			// An LV in several segments: one disk range per segment crossed.
			drs, err := f.Volume.DiskRanges(r)
			if err != nil {
				return nil, err
			}
			out = append(out, drs...)
		}
	}
	for _, s := range m.swap {
		if s.page > 0 && s.vol.Size > s.page {
			drs, err := s.vol.DiskRanges(image.Range{Off: s.page, Len: s.vol.Size - s.page})
			if err != nil {
				return nil, err
			}
			out = append(out, drs...)
		}
	}
	// LVM2 PV extents no LV uses (never the label or metadata areas).
	out = append(out, m.pvFree...)
	return mergeRanges(out), nil
}

// mergeRanges sorts ranges and joins overlapping or adjacent ones.
func mergeRanges(rs []image.Range) []image.Range {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Off < rs[j].Off })
	var out []image.Range
	for _, r := range rs {
		if n := len(out); n > 0 && r.Off <= out[n-1].End() {
			if r.End() > out[n-1].End() {
				out[n-1].Len = r.End() - out[n-1].Off
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Close flushes and closes every filesystem. In an SELinux guest whose
// policy could not be read, it first creates /.autorelabel if anything was
// created, so the guest relabels itself on first boot. Calling Close again
// does nothing.
func (m *Mounted) Close() error {
	if m == nil || m.closed {
		return nil
	}
	var errs []error
	if m.relabelFallback && !m.readOnly && m.Root.created.Load() {
		if err := m.Root.WriteFile("/.autorelabel", nil, 0o644); err != nil && !errors.Is(err, iofs.ErrExist) {
			errs = append(errs, fmt.Errorf("creating /.autorelabel: %w", err))
		}
	}
	errs = append(errs, m.closeAll())
	return errors.Join(errs...)
}

func (m *Mounted) closeAll() error {
	if m.closed {
		return nil
	}
	m.closed = true
	var errs []error
	for _, f := range m.Filesystems {
		if err := f.FS.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Volume.Name, err))
		}
	}
	return errors.Join(errs...)
}
