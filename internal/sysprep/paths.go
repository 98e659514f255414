package sysprep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// This file holds the path primitives every operation is built from, with
// virt-sysprep's meanings (reference §1 notation):
//
//	rm             unlink each non-directory matching a glob
//	rm-rf          remove each match recursively, never following symlinks
//	files-only     remove the regular files below a directory, keep the rest
//	truncate       empty a regular file (a symlink is skipped)
//	drop lines     rewrite a text file without some of its lines
//
// Each helper skips what does not exist, changes nothing that is already in
// the wanted state (so a second run reports nothing) and returns real I/O
// errors wrapped with the guest path.

// maxEditFile caps the size of a configuration file an operation rewrites.
// Real ones are a few KiB; a bigger one is refused rather than loaded.
const maxEditFile = 4 << 20

// lstat returns the Stat of p and whether it exists.
func lstat(e *Env, p string) (fs.Stat, bool, error) {
	st, err := e.Root.Lstat(p)
	if err == nil {
		return st, true, nil
	}
	if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
		return fs.Stat{}, false, nil
	}
	return fs.Stat{}, false, err
}

// isRegular reports whether p is a regular file (not through a final symlink).
func isRegular(e *Env, p string) bool {
	st, ok, err := lstat(e, p)
	return err == nil && ok && st.IsRegular()
}

// isDir reports whether p is a directory (not through a final symlink).
func isDir(e *Env, p string) bool {
	st, ok, err := lstat(e, p)
	return err == nil && ok && st.IsDir()
}

// exists reports whether p exists (a dangling symlink exists).
func exists(e *Env, p string) bool {
	_, ok, err := lstat(e, p)
	return err == nil && ok
}

// glob expands one pattern on the guest root.
func glob(e *Env, pattern string) ([]string, error) {
	m, err := fs.Glob(e.Root, pattern)
	if err != nil {
		return nil, fmt.Errorf("glob %s: %w", pattern, err)
	}
	return m, nil
}

// rmOpts tunes rmGlob.
type rmOpts struct {
	keepSymlinks bool                // leave symlinks in place (blkid-tab, histories)
	keep         func(p string) bool // leave these paths in place
	onRemoved    func(p string)      // called after each unlink
}

// rmGlob is virt-sysprep's "rm": it unlinks every non-directory matching
// each pattern. Directories are skipped, as rm(1) without -r would fail on
// them.
func rmGlob(e *Env, o rmOpts, patterns ...string) error {
	for _, pat := range patterns {
		ms, err := glob(e, pat)
		if err != nil {
			return err
		}
		for _, p := range ms {
			st, ok, err := lstat(e, p)
			if err != nil {
				return err
			}
			if !ok || st.IsDir() || (o.keepSymlinks && st.IsSymlink()) {
				continue
			}
			if o.keep != nil && o.keep(p) {
				continue
			}
			if err := e.Root.Remove(p); err != nil {
				if errors.Is(err, iofs.ErrNotExist) {
					continue
				}
				return fmt.Errorf("remove %s: %w", p, err)
			}
			if o.onRemoved != nil {
				o.onRemoved(p)
			}
		}
	}
	return nil
}

// rm unlinks each non-directory matching the patterns.
func rm(e *Env, patterns ...string) error { return rmGlob(e, rmOpts{}, patterns...) }

// rmrf is virt-sysprep's "rm-rf": every match is removed with everything
// below it. Symlinks are removed, never followed.
func rmrf(e *Env, patterns ...string) error {
	for _, pat := range patterns {
		ms, err := glob(e, pat)
		if err != nil {
			return err
		}
		for _, p := range ms {
			if err := fs.RemoveAll(e.Root, p, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// emptyDir removes every entry of dir, dotfiles included, and keeps dir.
func emptyDir(e *Env, dir string) error {
	if !isDir(e, dir) {
		return nil
	}
	ents, err := e.Root.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, ent := range ents {
		if err := fs.RemoveAll(e.Root, path.Join(dir, ent.Name), nil); err != nil {
			return err
		}
	}
	return nil
}

// filesOnly removes every regular file below dir, recursively, keeping the
// directories and symlinks (virt-sysprep's rm_rf_only_files). Files whose
// base name keep accepts are kept too.
func filesOnly(e *Env, dir string, keep func(name string) bool) error {
	dir = path.Clean(dir)
	if !isDir(e, dir) {
		return nil
	}
	return fs.WalkDir(e.Root, dir, func(p string, st fs.Stat, err error) error {
		if err != nil {
			if errors.Is(err, iofs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("walk %s: %w", p, err)
		}
		if !st.IsRegular() || (keep != nil && keep(path.Base(p))) {
			return nil
		}
		if err := e.Root.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
		return nil
	})
}

// truncateRegular empties p when it is a non-empty regular file. It reports
// whether p is a regular file (empty now).
func truncateRegular(e *Env, p string) (bool, error) {
	st, ok, err := lstat(e, p)
	if err != nil || !ok || !st.IsRegular() {
		return false, err
	}
	if st.Size == 0 {
		return true, nil
	}
	if err := e.Root.Truncate(p, 0); err != nil {
		return false, fmt.Errorf("truncate %s: %w", p, err)
	}
	return true, nil
}

// writeIfChanged makes p a regular file holding data, touching nothing
// when it already does. A new file gets mode perm; an existing one keeps its
// mode, owner and xattrs. An existing symlink or directory at p is an error
// (never written through).
func writeIfChanged(e *Env, p string, data []byte, perm iofs.FileMode) error {
	st, ok, err := lstat(e, p)
	if err != nil {
		return err
	}
	if ok {
		if !st.IsRegular() {
			return fmt.Errorf("%s: exists and is not a regular file (%v); remove it first", p, st.Mode.Type())
		}
		old, err := readSmall(e, p)
		if err != nil {
			return err
		}
		if bytes.Equal(old, data) {
			return nil
		}
	}
	if err := e.Root.WriteFile(p, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// chmodIfChanged sets the permission bits of p when they differ.
func chmodIfChanged(e *Env, p string, perm iofs.FileMode) error {
	st, err := e.Root.Lstat(p)
	if err != nil {
		return err
	}
	if st.Mode.Perm() == perm.Perm() {
		return nil
	}
	if err := e.Root.Chmod(p, perm); err != nil {
		return fmt.Errorf("chmod %s: %w", p, err)
	}
	return nil
}

// readSmall reads a configuration file, refusing one above maxEditFile.
func readSmall(e *Env, p string) ([]byte, error) {
	st, err := e.Root.Lstat(p)
	if err != nil {
		return nil, err
	}
	if st.Size > maxEditFile {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a configuration file may have; edit it by hand", p, st.Size, maxEditFile)
	}
	b, err := fs.ReadFile(e.Root, p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

// splitLines splits text into lines that keep their "\n", so joining them
// again gives the text back byte for byte.
func splitLines(text string) []string {
	return strings.SplitAfter(text, "\n")
}

// editLines rewrites the regular file p with edit's result, only when the
// result differs. Symlinks are skipped. It reports whether p changed.
func editLines(e *Env, p string, edit func(lines []string) []string) (bool, error) {
	if !isRegular(e, p) {
		return false, nil
	}
	old, err := readSmall(e, p)
	if err != nil {
		return false, err
	}
	out := strings.Join(edit(splitLines(string(old))), "")
	if out == string(old) {
		return false, nil
	}
	if err := e.Root.WriteFile(p, []byte(out), 0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", p, err)
	}
	return true, nil
}

// dropLines rewrites p without the lines drop accepts (drop sees each line
// without its "\n"). It reports whether p changed.
func dropLines(e *Env, p string, drop func(line string) bool) (bool, error) {
	return editLines(e, p, func(lines []string) []string {
		out := lines[:0:0]
		for _, l := range lines {
			if l != "" && drop(strings.TrimSuffix(l, "\n")) {
				continue
			}
			out = append(out, l)
		}
		return out
	})
}

// dropLinesGlob applies dropLines to each match of the patterns and logs
// every file it changed.
func dropLinesGlob(e *Env, drop func(line string) bool, patterns ...string) error {
	for _, pat := range patterns {
		ms, err := glob(e, pat)
		if err != nil {
			return err
		}
		for _, p := range ms {
			changed, err := dropLines(e, p, drop)
			if err != nil {
				return err
			}
			if changed {
				e.Logf("%s: lines removed", p)
			}
		}
	}
	return nil
}

// globOp is an operation made only of rm and rm-rf globs, which is most of
// virt-sysprep's list. Each op file declares one.
type globOp struct {
	name, summary string
	defaultOn     bool
	gate          func(g *guest.Guest) bool // nil: every guest
	rm            []string                  // virt-sysprep "rm"
	rmrf          []string                  // virt-sysprep "rm-rf"
	keepSymlinks  bool                      // rm leaves symlinks alone
}

func (o globOp) Name() string    { return o.name }
func (o globOp) Summary() string { return o.summary }
func (o globOp) DefaultOn() bool { return o.defaultOn }

func (o globOp) Apply(_ context.Context, e *Env) error {
	if o.gate != nil && !o.gate(e.Guest) {
		return nil
	}
	if err := rmGlob(e, rmOpts{keepSymlinks: o.keepSymlinks}, o.rm...); err != nil {
		return err
	}
	return rmrf(e, o.rmrf...)
}

// linuxOnly is virt-sysprep's "L" gate.
func linuxOnly(g *guest.Guest) bool { return g.IsLinux() }

// redHatFamily is virt-sysprep's "L+RH" gate, on the os-release family
// (so Rocky, Alma, CentOS Stream and Oracle Linux are included).
func redHatFamily(g *guest.Guest) bool { return g.IsRedHatLike() }
