// Package guestgen builds realistic guest disk images (a Debian 12-like
// system on ext4, partitioned with GPT or MBR, raw or qcow2) with the real
// tools: mkfs.ext4 -d, sgdisk/sfdisk, ssh-keygen and qemu-img. Tests, the
// demo (tools/mkguest) and the benchmarks use it. It needs root to give
// files their owners (the tree is materialized under a host directory with
// chown before mkfs.ext4 -d copies it).
package guestgen

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// File is one entry of a guest tree.
type File struct {
	Data string      // content of a regular file
	Mode fs.FileMode // permission bits plus fs.ModeDir / fs.ModeSymlink / setuid...; 0 = 0644 file
	UID  int
	GID  int
	Link string // symlink target (Mode gets fs.ModeSymlink)
}

// Tree maps guest paths ("etc/hostname", no leading slash) to entries.
// Parent directories not listed are made 0755 root:root.
type Tree map[string]File

// Dir returns a directory entry; perm may carry the Unix setuid, setgid and
// sticky bits as octal (0o1777).
func Dir(perm fs.FileMode, uid, gid int) File {
	return File{Mode: fs.ModeDir | unixPerm(perm), UID: uid, GID: gid}
}

// unixPerm moves Unix special bits (0o4000 setuid, 0o2000 setgid, 0o1000
// sticky) written as octal into their fs.FileMode flags.
func unixPerm(m fs.FileMode) fs.FileMode {
	out := m &^ 0o7000
	if m&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

// Symlink returns a symlink entry owned by root.
func Symlink(target string) File { return File{Link: target, Mode: fs.ModeSymlink | 0o777} }

// Text returns a root-owned 0644 regular file.
func Text(s string) File { return File{Data: s, Mode: 0o644} }

// Owned returns a regular file with the given mode (octal special bits
// allowed, as for Dir) and owner.
func Owned(s string, perm fs.FileMode, uid, gid int) File {
	return File{Data: s, Mode: unixPerm(perm), UID: uid, GID: gid}
}

// Merge returns a copy of t with every entry of over replaced or added.
// An entry of over with Mode == 0, empty Data and no Link deletes the path
// (and everything under it) from the result.
func (t Tree) Merge(over Tree) Tree {
	out := make(Tree, len(t)+len(over))
	for p, f := range t {
		out[clean(p)] = f
	}
	for p, f := range over {
		p = clean(p)
		if f.Mode == 0 && f.Data == "" && f.Link == "" {
			for q := range out {
				if q == p || strings.HasPrefix(q, p+"/") {
					delete(out, q)
				}
			}
			continue
		}
		out[p] = f
	}
	return out
}

// Remove is the Merge entry that deletes a path.
var Remove = File{}

func clean(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// WriteDir materializes the tree under dir (which must exist), with modes
// and owners. Owners need root; as another user chown errors are ignored.
func (t Tree) WriteDir(dir string) error {
	entries := make(map[string]File, len(t))
	paths := make([]string, 0, len(t))
	for p, f := range t {
		entries[clean(p)] = f
		paths = append(paths, clean(p))
	}
	sort.Strings(paths) // parents before children
	root := os.Geteuid() == 0
	var dirs, files []string
	for _, p := range paths {
		f := entries[p]
		if f.Mode == 0 && f.Link == "" {
			f.Mode = 0o644
		}
		host := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
			return err
		}
		switch {
		case f.Link != "" || f.Mode&fs.ModeSymlink != 0:
			if err := os.Symlink(f.Link, host); err != nil {
				return err
			}
		case f.Mode.IsDir():
			if err := os.MkdirAll(host, 0o755); err != nil {
				return err
			}
			dirs = append(dirs, p)
		case f.Mode.IsRegular() || f.Mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0:
			if err := os.WriteFile(host, []byte(f.Data), 0o600); err != nil {
				return err
			}
			files = append(files, p)
		default:
			return fmt.Errorf("guestgen: %s: unsupported mode %v", p, f.Mode)
		}
		if root {
			if err := os.Lchown(host, f.UID, f.GID); err != nil {
				return err
			}
		}
	}
	// Modes after owners: chown clears setuid and setgid.
	for _, p := range files {
		if err := os.Chmod(filepath.Join(dir, filepath.FromSlash(p)), hostPerm(entries[p].Mode)); err != nil {
			return err
		}
	}
	// Directory modes last (a 0700 dir must still be written into first);
	// chown resets setgid bits, so chmod after it.
	for i := len(dirs) - 1; i >= 0; i-- {
		f := entries[dirs[i]]
		if err := os.Chmod(filepath.Join(dir, filepath.FromSlash(dirs[i])), hostPerm(f.Mode)); err != nil {
			return err
		}
	}
	return nil
}

// hostPerm converts fs.FileMode special bits to what os.Chmod expects.
func hostPerm(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}
