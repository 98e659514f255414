package guest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// Sentinels of Open. Match with errors.Is.
var (
	// ErrNoOS is returned when no volume holds a Linux root filesystem.
	ErrNoOS = errors.New("no operating system found")
	// ErrAmbiguousRoot is returned when several volumes look like the root
	// filesystem and fstab does not settle it.
	ErrAmbiguousRoot = errors.New("several root filesystems found")
	// ErrFstab is returned when /etc/fstab names a volume Open cannot mount.
	ErrFstab = errors.New("cannot mount a filesystem /etc/fstab needs")
)

// Options tune Open.
type Options struct {
	Name     string // the disk's name in messages, e.g. "disk.qcow2"
	ReadOnly bool   // open every filesystem read-only
}

// Opened is one filesystem Open opened.
type Opened struct {
	Volume     volume.Volume
	Type       string // engine name: "ext4", "xfs", "btrfs"
	FS         fs.FS
	Mountpoint string // guest path it is mounted on; "" when fstab does not mount it
	UUID       string // filesystem UUID (lower case), "" if unknown
	Label      string // filesystem label
	// ReadOnly is true for every filesystem of a read-only Open and, in a
	// writable one, for those not mounted in the guest: Open opens those
	// read-only so nothing outside the guest's tree can change.
	ReadOnly bool

	engine fs.Engine
}

// Mounted is an inspected guest: the distro, the mount tree and every
// filesystem opened. Close it to flush writes.
type Mounted struct {
	Guest       *Guest
	Root        *Root
	Filesystems []Opened
	// SELinux says how created files get SELinux labels: "" (not an
	// SELinux guest), "labels from <file_contexts path>" or "relabel on
	// first boot (policy unreadable)".
	SELinux string
	// Warnings are non-fatal findings: a damaged primary GPT, fstab
	// entries that were skipped.
	Warnings []string

	swap []swapArea
	// LVM2: unallocated PV extents (disk-absolute), LVs not exposed and
	// volume groups that could not be assembled.
	pvFree     []image.Range
	refusedLVs []volume.RefusedLV
	pvProblems []pvProblem
	mounts     []plannedMount // fstab mounts, in mount order
	readOnly   bool
	closed     bool
	// relabelFallback: touch /.autorelabel on Close if anything was created.
	relabelFallback bool
}

type plannedMount struct {
	fs    int // index in Filesystems
	point string
}

type swapArea struct {
	vol  volume.Volume
	page int64
}

// probe is what Open learned about one volume.
type probe struct {
	vol     volume.Volume
	what    string // "ext4", "swap", "LUKS encrypted", "no filesystem recognised"...
	reason  string // why it is not the root, for the no-OS error
	refusal error  // LUKS/LVM2: the unsupported-feature error
	opened  int    // index into Mounted.Filesystems, -1 if not opened
}

// maxFstab caps the fstab we read.
const maxFstab = 1 << 20

// Open lists the disk's volumes, opens every filesystem an engine
// recognises (read-only), finds the root filesystem (os-release and fstab;
// with several, the one whose fstab mounts itself on /), mounts the others
// per its /etc/fstab and reads the distro. Unless o.ReadOnly, the root and
// the filesystems mounted in it are then reopened writable; the others
// stay read-only. SELinux guests get labels on every file created through
// Root.
func Open(ctx context.Context, disk image.Image, o Options) (m *Mounted, err error) {
	vols, err := volume.List(disk, o.Name)
	if err != nil {
		return nil, err
	}
	mt := &Mounted{readOnly: o.ReadOnly}
	defer func() {
		if err != nil {
			mt.closeAll()
		}
	}()
	m = mt
	var probes []probe
	seenWarn := map[string]bool{}
	for _, v := range vols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if v.Warning != "" && !seenWarn[v.Warning] {
			seenWarn[v.Warning] = true
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: %s", o.Name, v.Warning))
		}
		probes = append(probes, m.probe(v, o))
	}
	rootIdx, err := m.chooseRoot(o, probes)
	if err != nil {
		return nil, err
	}
	rootFS := &m.Filesystems[rootIdx]
	rootFS.Mountpoint = "/"
	m.Root = NewRoot(rootFS.FS)
	if err := m.mountFstab(rootIdx); err != nil {
		return nil, fmt.Errorf("%s: %w", rootFS.Volume.Name, err)
	}
	if !o.ReadOnly {
		if err := m.reopenWritable(rootIdx); err != nil {
			return nil, err
		}
	}
	if m.Guest, err = m.inspect(); err != nil {
		return nil, err
	}
	if err := m.setupSELinux(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Mounted) probe(v volume.Volume, o Options) probe {
	p := probe{vol: v, opened: -1}
	switch c := volume.Identify(v.Image, v.Size); c {
	case volume.ContentLVM2:
		m.noteLVM2(v, o.Name)
		p.what, p.refusal = c.Describe(), c.Refusal(v)
		if p.refusal != nil {
			p.reason = p.refusal.Error()
		} else if v.VG != "" {
			p.reason = "LVM2 physical volume of VG " + v.VG + " (its LVs are listed on their own)"
		} else {
			p.reason = "LVM2 physical volume in no volume group"
		}
		return p
	case volume.ContentLUKS:
		p.what, p.refusal = c.Describe(), c.Refusal(v)
		p.reason = p.refusal.Error()
		return p
	case volume.ContentSwap:
		p.what, p.reason = "swap", "swap area"
		m.swap = append(m.swap, swapArea{vol: v, page: volume.SwapPageSize(v.Image, v.Size)})
		return p
	}
	eng, err := fs.Detect(v.Image, v.Size)
	if err != nil {
		p.what, p.reason = "no filesystem recognised", "no filesystem recognised"
		return p
	}
	p.what = eng.Name()
	f, err := eng.Open(v.Image, fs.OpenOptions{Name: v.Name, ReadOnly: true})
	if err != nil {
		p.reason = err.Error()
		p.refusal = err
		return p
	}
	op := Opened{Volume: v, Type: eng.Name(), FS: f, ReadOnly: true, engine: eng}
	if id, ok := f.(Identifier); ok {
		op.UUID, op.Label = strings.ToLower(id.UUID()), id.Label()
	} else {
		op.UUID, op.Label = superblockID(v.Image, v.Size)
	}
	p.opened = len(m.Filesystems)
	m.Filesystems = append(m.Filesystems, op)
	return p
}

// rootCandidate checks one filesystem alone for os-release and fstab.
func rootCandidate(f fs.FS) (fstab []FstabEntry, reason string) {
	r := NewRoot(f)
	if !exists(r, "/etc/os-release") && !exists(r, "/usr/lib/os-release") {
		return nil, "no /etc/os-release or /usr/lib/os-release"
	}
	st, err := r.Stat("/etc/fstab")
	if err != nil {
		return nil, "no /etc/fstab"
	}
	if st.Size > maxFstab {
		return nil, fmt.Sprintf("/etc/fstab is %d bytes (limit %d)", st.Size, maxFstab)
	}
	data, err := fs.ReadFile(r, "/etc/fstab")
	if err != nil {
		return nil, fmt.Sprintf("reading /etc/fstab: %v", err)
	}
	return ParseFstab(data), ""
}

func exists(r *Root, p string) bool {
	_, err := r.Lstat(p)
	return err == nil
}

func (m *Mounted) volumeID(i int) volumeID {
	f := m.Filesystems[i]
	return volumeID{vol: f.Volume, uuid: f.UUID, label: f.Label}
}

// chooseRoot returns the index in m.Filesystems of the root filesystem.
func (m *Mounted) chooseRoot(o Options, probes []probe) (int, error) {
	var cands, selfRooted []int
	for i := range probes {
		p := &probes[i]
		if p.opened < 0 {
			continue
		}
		fstab, reason := rootCandidate(m.Filesystems[p.opened].FS)
		if reason != "" {
			p.reason = reason
			continue
		}
		cands = append(cands, p.opened)
		for _, e := range fstab {
			if e.mountPoint() == "/" && m.volumeID(p.opened).matches(e.Spec) {
				selfRooted = append(selfRooted, p.opened)
				break
			}
		}
	}
	switch {
	case len(cands) == 1:
		return cands[0], nil
	case len(selfRooted) == 1:
		return selfRooted[0], nil
	case len(cands) > 1:
		var names []string
		for _, c := range cands {
			names = append(names, m.Filesystems[c].Volume.Name)
		}
		return 0, fmt.Errorf("%s: %w: %s (each has os-release and fstab, and %d of their fstabs mount themselves on /); keep one OS per disk",
			o.Name, ErrAmbiguousRoot, strings.Join(names, ", "), len(selfRooted))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v (need a filesystem with /etc/os-release or /usr/lib/os-release and /etc/fstab):", o.Name, ErrNoOS)
	if len(probes) == 0 {
		b.WriteString(" the disk has no volumes")
	}
	errs := []error{ErrNoOS}
	for _, p := range probes {
		fmt.Fprintf(&b, "\n  %s: %s", p.vol.Name, p.what)
		if p.reason != "" && p.reason != p.what {
			fmt.Fprintf(&b, ": %s", p.reason)
		}
		if p.refusal != nil {
			errs = append(errs, p.refusal)
		}
	}
	return 0, &noOSError{msg: b.String(), errs: errs}
}

// noOSError carries the per-volume report and matches ErrNoOS and every
// refusal (volume.ErrUnsupported for LUKS/LVM2, engine errors).
type noOSError struct {
	msg  string
	errs []error
}

func (e *noOSError) Error() string   { return e.msg }
func (e *noOSError) Unwrap() []error { return e.errs }

// mountFstab mounts, shallowest first, the filesystems the root's fstab
// names. A disk filesystem fstab needs but Open cannot find is an error,
// unless the entry says nofail.
func (m *Mounted) mountFstab(rootIdx int) error {
	data, err := fs.ReadFile(m.Root, "/etc/fstab")
	if err != nil {
		return err
	}
	entries := ParseFstab(data)
	sort.SliceStable(entries, func(i, j int) bool {
		return strings.Count(entries[i].mountPoint(), "/") < strings.Count(entries[j].mountPoint(), "/")
	})
	// Types a Linux disk volume we should open is mounted as; others (vfat
	// /boot/efi...) are skipped with a warning when their volume is absent.
	diskTypes := map[string]bool{"auto": true, "": true, "ext2": true, "ext3": true, "ext4": true, "xfs": true, "btrfs": true}
	for _, e := range fs.Engines() {
		diskTypes[e.Name()] = true
	}
	for _, e := range entries {
		if e.mountPoint() == "/" {
			continue
		}
		if why := e.skipReason(); why != "" {
			continue
		}
		found := -1
		for i := range m.Filesystems {
			if !m.volumeID(i).matches(e.Spec) {
				continue
			}
			if found >= 0 {
				return fmt.Errorf("%w: fstab line %d: %s matches both %s and %s (cloned filesystems with the same UUID or label?); give one a new UUID/label",
					ErrFstab, e.Line, e.Spec, m.Filesystems[found].Volume.Name, m.Filesystems[i].Volume.Name)
			}
			found = i
		}
		if found == rootIdx {
			m.Warnings = append(m.Warnings, fmt.Sprintf("fstab line %d: %s on %s is the root filesystem again; not mounted twice", e.Line, e.Spec, e.File))
			continue
		}
		if found < 0 {
			if err := m.lvmIssue(e.Spec); err != nil && !e.HasOption("nofail") {
				return fmt.Errorf("%w: fstab line %d: %s on %s: %w", ErrFstab, e.Line, e.Spec, e.File, err)
			}
			switch {
			case e.HasOption("nofail"):
				m.Warnings = append(m.Warnings, fmt.Sprintf("fstab line %d: %s on %s (nofail): no such filesystem on the disk; not mounted", e.Line, e.Spec, e.File))
				continue
			case !diskTypes[e.VfsType]:
				m.Warnings = append(m.Warnings, fmt.Sprintf("fstab line %d: %s on %s: %s is not opened; not mounted", e.Line, e.Spec, e.File, e.VfsType))
				continue
			}
			return fmt.Errorf("%w: fstab line %d: %s on %s (%s): no volume on the disk matches it (multi-disk guests are not supported yet; add nofail to the entry if it is optional)",
				ErrFstab, e.Line, e.Spec, e.File, e.VfsType)
		}
		if e.VfsType == "btrfs" && (hasPrefixOption(e, "subvol=") || hasPrefixOption(e, "subvolid=")) {
			return fmt.Errorf("%w: fstab line %d: btrfs subvolume mount on %s: not supported yet", ErrFstab, e.Line, e.File)
		}
		point := e.mountPoint()
		if g, err := m.Root.Resolve(point); err == nil {
			point = g // the kernel follows symlinks in a mount point
		}
		if err := m.Root.Mount(point, m.Filesystems[found].FS); err != nil {
			return fmt.Errorf("%w: fstab line %d: %v", ErrFstab, e.Line, err)
		}
		m.mounts = append(m.mounts, plannedMount{fs: found, point: point})
		if m.Filesystems[found].Mountpoint == "" {
			m.Filesystems[found].Mountpoint = point
		}
	}
	return nil
}

func hasPrefixOption(e FstabEntry, prefix string) bool {
	for _, o := range e.Options {
		if strings.HasPrefix(o, prefix) {
			return true
		}
	}
	return false
}

// inspect reads os-release and probes the package manager.
func (m *Mounted) inspect() (*Guest, error) {
	kv, err := readOSRelease(m.Root)
	if err != nil {
		return nil, fmt.Errorf("reading os-release: %w", err)
	}
	g := guestFromOSRelease(kv)
	if g.PackageManager, g.PackageFormat, err = detectPackageManager(m.Root); err != nil {
		return nil, fmt.Errorf("detecting the package manager: %w", err)
	}
	for _, f := range m.Filesystems {
		g.Filesystems = append(g.Filesystems, Filesystem{
			Volume: f.Volume.Name, Type: f.Type, UUID: f.UUID, Label: f.Label,
			Mountpoint: f.Mountpoint, ReadOnly: f.ReadOnly,
		})
	}
	return g, nil
}

// Inspect opens the disk read-only, returns what it found and closes it.
func Inspect(ctx context.Context, disk image.Image, name string) (*Guest, error) {
	m, err := Open(ctx, disk, Options{Name: name, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	g := m.Guest
	return g, m.Close()
}
