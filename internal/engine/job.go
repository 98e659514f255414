package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

// Job is one sysprep run: read Input, apply Plan to an in-memory
// copy-on-write overlay, export the result to Output. Input is never written.
type Job struct {
	// Input is the disk image to read (qcow2 or raw, detected by content).
	Input string
	// Output is the image to write; it must not be Input (nor any file of
	// Input's backing chain, also through links). Required unless DryRun.
	// It appears atomically or not at all.
	Output string
	// Format of Output: image.FormatQcow2 or image.FormatRaw; "" means the
	// Output name's extension (".qcow2"; ".raw" or ".img"), else the input's.
	Format image.Format
	// Compression of Output's clusters: "none" (or ""), "zlib" or "zstd".
	// qcow2 only: asking for it with raw is an error.
	Compression string
	// DiskSize is Output's virtual size in bytes; 0 keeps the input's. It
	// can only grow the disk (partitions and filesystems are not resized).
	DiskSize int64
	// Plan is what to do to the guest; nil means sysprep.DefaultPlan().
	Plan *sysprep.Plan
	// DryRun applies the plan on the overlay, reports, and writes nothing.
	DryRun bool

	// Logf receives detail lines (the CLI's -v, PACKER_LOG). Never secrets.
	Logf func(format string, args ...any)
	// Warnf receives what the user should know (always shown).
	Warnf func(format string, args ...any)
	// Stdout receives output the user asked for (e.g. a random password).
	Stdout func(line string)
	// OnOperation is called as each sysprep operation starts.
	OnOperation func(name string)
	// Progress reports the export: bytes of the virtual disk done of total.
	Progress func(done, total int64)
}

// Result describes a finished job. It is the JSON of the CLI's --report.
type Result struct {
	Input  string `json:"input"`
	Output string `json:"output"` // "" for a dry run
	// Format and Compression of Output (of the input for a dry run).
	Format      string `json:"format"`
	Compression string `json:"compression,omitempty"`
	// VirtualSize is the guest-visible disk size; FileSize is Output's size
	// on the host (0 for a dry run).
	VirtualSize int64              `json:"virtual_size"`
	FileSize    int64              `json:"file_size"`
	Guest       GuestInfo          `json:"guest"`
	Operations  []sysprep.OpReport `json:"operations"`
	// Warnings repeats every Warnf line of the run.
	Warnings []string `json:"warnings,omitempty"`
	Seconds  float64  `json:"seconds"`
	DryRun   bool     `json:"dry_run"`
}

// GuestInfo is what inspection found, for reports.
type GuestInfo struct {
	Distro      string           `json:"distro"`
	Version     string           `json:"version"`
	PrettyName  string           `json:"pretty_name"`
	Family      string           `json:"family"`
	Filesystems []FilesystemInfo `json:"filesystems"`
}

// FilesystemInfo is one filesystem of the guest.
type FilesystemInfo struct {
	Volume     string `json:"volume"` // e.g. `partition 2 (GPT, "root")`
	Type       string `json:"type"`   // "ext4", "xfs", "btrfs"
	UUID       string `json:"uuid"`
	Mountpoint string `json:"mountpoint"` // "" when not mounted
}

// Run executes the job. On error no output file is left behind (also when
// ctx is cancelled), and the error reads as one sentence chain naming the
// image: "sysprep: disk.qcow2: ext4 on partition 1: ...".
func Run(ctx context.Context, j Job) (*Result, error) {
	if err := j.check(); err != nil {
		return nil, &Error{Image: j.Input, Err: err}
	}
	res, err := run(ctx, j)
	if err != nil {
		return nil, &Error{Image: j.Input, Err: err}
	}
	return res, nil
}

// Error is a failed job: Image is the input path as given.
type Error struct {
	Image string
	Err   error
}

func (e *Error) Error() string {
	msg := flatten(e.Err.Error())
	// Lower layers often start with the path (image) or its base name
	// (guest) already: say it once.
	base := filepath.Base(e.Image)
	if e.Image == "" || strings.HasPrefix(msg, e.Image+": ") || strings.HasPrefix(msg, e.Image+" ") ||
		strings.HasPrefix(msg, base+": ") || strings.HasPrefix(msg, base+" ") {
		return "sysprep: " + msg
	}
	return "sysprep: " + e.Image + ": " + msg
}

// flatten makes a multi-line error (errors.Join, lists) one line.
func flatten(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	s = strings.ReplaceAll(s, ":\n", ": ")
	s = strings.ReplaceAll(s, "\n", "; ")
	return strings.Join(strings.Fields(s), " ")
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUsage marks a job that is wrong before anything is opened (a missing
// path, an impossible format/compression pair). Match with errors.Is.
var ErrUsage = errors.New("invalid job")

// check validates what can be validated without opening anything.
func (j *Job) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrUsage)
	}
	if j.Input == "" {
		return bad("no input image given")
	}
	if j.Output == "" && !j.DryRun {
		return bad("no output image given (or ask for a dry run)")
	}
	if j.Output != "" && filepath.Clean(j.Output) == filepath.Clean(j.Input) {
		return bad("output %s is the input: the input is never modified; choose another output path", j.Output)
	}
	switch j.Format {
	case "", image.FormatQcow2, image.FormatRaw:
	default:
		return bad("output format %q: want qcow2 or raw", j.Format)
	}
	switch j.Compression {
	case "", "none":
	case "zlib", "zstd":
		if j.Format == image.FormatRaw {
			return bad("compression %s needs a qcow2 output, not raw", j.Compression)
		}
	default:
		return bad("compression %q: want none, zlib or zstd", j.Compression)
	}
	if j.DiskSize < 0 {
		return bad("disk size %d: must be positive", j.DiskSize)
	}
	if j.Plan != nil {
		if err := j.Plan.Validate(); err != nil {
			return fmt.Errorf("plan: %w: %w", oneLine(err), ErrUsage)
		}
	}
	return nil
}

// oneLine joins a multi-error's lines with "; ".
func oneLine(err error) error {
	s := err.Error()
	if !strings.Contains(s, "\n") {
		return err
	}
	return errors.New(strings.ReplaceAll(s, "\n", "; "))
}

// Summary returns one line per operation, e.g. "logfiles: 12 removed" or
// "hostname: 1 changed", with its notes, for UIs.
func (r *Result) Summary() []string {
	out := make([]string, 0, len(r.Operations))
	for _, op := range r.Operations {
		rm, ch, cr := op.Counts()
		var parts []string
		if rm > 0 {
			parts = append(parts, fmt.Sprintf("%d removed", rm))
		}
		if ch > 0 {
			parts = append(parts, fmt.Sprintf("%d changed", ch))
		}
		if cr > 0 {
			parts = append(parts, fmt.Sprintf("%d created", cr))
		}
		line := op.Name + ": "
		if len(parts) == 0 {
			line += "nothing to do"
		} else {
			line += strings.Join(parts, ", ")
		}
		if len(op.Notes) > 0 {
			line += " (" + strings.Join(op.Notes, "; ") + ")"
		}
		out = append(out, line)
	}
	return out
}
