package cloudinit

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Files `cloud-init clean --configs` removes (cloud-init 26.2,
// cloudinit/cmd/clean.py GEN_NET_CONFIG_FILES and GEN_SSH_CONFIG_FILES).
var (
	netConfigFiles = []string{
		"/etc/netplan/50-cloud-init.yaml",
		"/etc/NetworkManager/conf.d/99-cloud-init.conf",
		"/etc/NetworkManager/conf.d/30-cloud-init-ip6-addr-gen-mode.conf",
		"/etc/NetworkManager/system-connections/cloud-init-*.nmconnection",
		"/etc/systemd/network/10-cloud-init-*.network",
		"/etc/network/interfaces.d/50-cloud-init.cfg",
	}
	sshConfigFiles = []string{"/etc/ssh/sshd_config.d/50-cloud-init.conf"}
)

// fstabMarker marks the /etc/fstab lines cloud-init's mounts module wrote.
const fstabMarker = "comment=cloudconfig"

// maxFstab caps /etc/fstab before it is loaded for --configs fstab.
const maxFstab = 4 << 20

// CleanResult says what Clean did, and what `cloud-init clean` would also
// do that cannot be done offline.
type CleanResult struct {
	// Removed lists every guest path unlinked, in order (a directory's
	// content before the directory).
	Removed []string
	// Changed lists the files rewritten (/etc/fstab).
	Changed []string
	// CloudDir is the merged system_info.paths.cloud_dir.
	CloudDir string
	// AlreadyClean: CloudDir was not a directory, so nothing below it was
	// removed and clean.d would not run ("Artifacts already cleaned").
	AlreadyClean bool
	// SeedKept: CloudDir/seed exists and was kept (Seed was false).
	SeedKept bool
	// CleanScripts are the executables of /etc/cloud/clean.d that
	// `cloud-init clean` would run next (run-parts, lexical order). They
	// are guest code: offline they are not run.
	CleanScripts []string
	// Warnings are things skipped (a directory where a log file was
	// expected, an unparsable cloud.cfg.d file...).
	Warnings []string
}

// Clean does `cloud-init clean` on an offline guest, with cloud-init
// 26.2's semantics (reference §3), in its order:
//
//  1. read the merged config: /etc/cloud/cloud.cfg then cloud.cfg.d/*.cfg
//     in name order, later wins, over the builtin defaults;
//  2. Logs: delete def_log_file and the output.all targets, each with its
//     rotated siblings (<log>*) that are regular files; devices, directories
//     and symlinked siblings are kept;
//  3. Configs: network / ssh_config / fstab / all: the generated network
//     and sshd files, and the /etc/fstab lines holding comment=cloudconfig;
//  4. if cloud_dir is not a directory, stop (AlreadyClean);
//  5. remove every cloud_dir/* (dotfiles excepted, as the glob skips them)
//     but seed/ unless Seed: directories recursively, anything else
//     unlinked, cloud_dir itself kept;
//  6. list /etc/cloud/clean.d's executables in CleanScripts.
//
// Unlike cloud-init, Clean never deletes inside /etc, /usr, /boot and the
// other system directories because of a log path, and refuses a cloud_dir
// that is such a directory, "/", /var/lib and the like.
//
// MachineID is left to the caller (the machine-id outcome is a plan-wide
// choice). Datasource-specific cleaning (--configs datasource/all) needs the
// running datasource and is not done. Clean is idempotent.
func Clean(root fs.FS, o CleanOptions) (CleanResult, error) {
	var r CleanResult
	if err := o.Validate(); err != nil {
		return r, err
	}
	gc, warnings, err := readGuestConfig(root)
	if err != nil {
		return r, fmt.Errorf("cloud-init clean: read config: %w", err)
	}
	r.Warnings = append(r.Warnings, warnings...)
	r.CloudDir = cleanPath(gc.CloudDir)
	if o.Logs {
		if err := r.cleanLogs(root, gc); err != nil {
			return r, err
		}
	}
	configs := map[string]bool{}
	for _, c := range o.Configs {
		configs[c] = true
	}
	if configs["all"] || configs["network"] {
		if err := r.removeGlobs(root, netConfigFiles); err != nil {
			return r, err
		}
	}
	if configs["all"] || configs["ssh_config"] {
		if err := r.removeGlobs(root, sshConfigFiles); err != nil {
			return r, err
		}
	}
	if configs["all"] || configs["fstab"] {
		if err := r.cleanFstab(root); err != nil {
			return r, err
		}
	}
	if r.CloudDir == "" {
		r.Warnings = append(r.Warnings, fmt.Sprintf("cloud_dir %q is not an absolute path: not cleaned", gc.CloudDir))
		return r, nil
	}
	if inSystemDir(r.CloudDir) || shallowDirs[r.CloudDir] {
		return r, fmt.Errorf("cloud-init clean: refusing to empty cloud_dir %s (system_info.paths.cloud_dir in the guest's cloud.cfg): it is a system directory; fix the setting or disable the cloud-init operation", r.CloudDir)
	}
	st, err := root.Lstat(r.CloudDir)
	switch {
	case err != nil && (errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir)):
		r.AlreadyClean = true
		return r, nil
	case err != nil:
		return r, err
	case st.IsSymlink():
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s is a symlink: not followed offline, not cleaned", r.CloudDir))
		return r, nil
	case !st.IsDir():
		r.AlreadyClean = true
		return r, nil
	}
	if err := r.cleanCloudDir(root, o.Seed); err != nil {
		return r, err
	}
	return r, r.listCleanScripts(root)
}

func (r *CleanResult) remove(root fs.FS, p string) error {
	if err := root.Remove(p); err != nil {
		return fmt.Errorf("cloud-init clean: remove %s: %w", p, err)
	}
	r.Removed = append(r.Removed, p)
	return nil
}

func (r *CleanResult) cleanLogs(root fs.FS, gc guestConfig) error {
	done := map[string]bool{}
	for _, l := range gc.logFiles() {
		p := cleanPath(l)
		if p == "" {
			r.Warnings = append(r.Warnings, fmt.Sprintf("log file %q is not an absolute path: kept", l))
			continue
		}
		if done[p] {
			continue
		}
		done[p] = true
		if inSystemDir(p) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("log file %s is in a system directory: kept (check def_log_file/output in the guest's cloud.cfg)", p))
			continue
		}
		// The log itself: unlinked whatever it is but a directory or a device.
		st, err := root.Lstat(p)
		switch {
		case err == nil && st.IsDir():
			r.Warnings = append(r.Warnings, fmt.Sprintf("log file %s is a directory: kept", p))
		case err == nil && st.Mode&(iofs.ModeDevice|iofs.ModeCharDevice) != 0:
			// cloud-init 26.1+ keeps devices (a log sent to /dev/console...).
		case err == nil:
			if err := r.remove(root, p); err != nil {
				return err
			}
		case !errors.Is(err, iofs.ErrNotExist) && !errors.Is(err, fs.ErrNotDir):
			return err
		}
		// Rotated siblings: glob(<log>*), regular files only.
		dir, base := path.Dir(p), path.Base(p)
		ents, err := root.ReadDir(dir)
		if err != nil {
			if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
				continue
			}
			return err
		}
		for _, e := range ents {
			sib := path.Join(dir, e.Name)
			if e.Name == base || !strings.HasPrefix(e.Name, base) || done[sib] || !e.Type.IsRegular() {
				continue
			}
			done[sib] = true
			if err := r.remove(root, sib); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeGlobs unlinks every non-directory matching the patterns.
func (r *CleanResult) removeGlobs(root fs.FS, patterns []string) error {
	for _, pat := range patterns {
		matches, err := fs.Glob(root, pat)
		if err != nil {
			return fmt.Errorf("cloud-init clean: %s: %w", pat, err)
		}
		for _, p := range matches {
			st, err := root.Lstat(p)
			if err != nil {
				return err
			}
			if st.IsDir() {
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s is a directory: kept", p))
				continue
			}
			if err := r.remove(root, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanFstab drops the /etc/fstab lines cloud-init's mounts module added.
func (r *CleanResult) cleanFstab(root fs.FS) error {
	const p = "/etc/fstab"
	st, err := root.Lstat(p)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
			return nil
		}
		return err
	}
	if !st.IsRegular() {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s is not a regular file: not edited", p))
		return nil
	}
	if st.Size > maxFstab {
		return fmt.Errorf("cloud-init clean: %s: %d bytes, refusing to edit a file larger than %d", p, st.Size, maxFstab)
	}
	data, err := fs.ReadFile(root, p)
	if err != nil {
		return err
	}
	var kept strings.Builder
	dropped := false
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.Contains(line, fstabMarker) {
			dropped = true
			continue
		}
		kept.WriteString(line)
	}
	if !dropped {
		return nil
	}
	if err := root.WriteFile(p, []byte(kept.String()), st.Mode.Perm()); err != nil {
		return fmt.Errorf("cloud-init clean: rewrite %s: %w", p, err)
	}
	r.Changed = append(r.Changed, p)
	return nil
}

func (r *CleanResult) cleanCloudDir(root fs.FS, seed bool) error {
	ents, err := root.ReadDir(r.CloudDir)
	if err != nil {
		return fmt.Errorf("cloud-init clean: %s: %w", r.CloudDir, err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name, ".") {
			continue // glob("*") skips dotfiles
		}
		p := path.Join(r.CloudDir, e.Name)
		if e.Name == "seed" && !seed {
			r.SeedKept = true
			continue
		}
		if e.IsDir() {
			err = fs.RemoveAll(root, p, func(q string) { r.Removed = append(r.Removed, q) })
			if err != nil {
				return fmt.Errorf("cloud-init clean: %w", err)
			}
			continue
		}
		if err := r.remove(root, p); err != nil {
			return err
		}
	}
	return nil
}

func (r *CleanResult) listCleanScripts(root fs.FS) error {
	ents, err := root.ReadDir(CleanDir)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
			return nil
		}
		return err
	}
	for _, e := range ents {
		p := path.Join(CleanDir, e.Name)
		st, err := root.Lstat(p)
		if err != nil {
			return err
		}
		// run-parts runs regular files root may execute; a symlink cannot
		// be followed here, so it is listed as one that may run.
		if st.IsSymlink() || st.IsRegular() && st.Mode&0o111 != 0 {
			r.CleanScripts = append(r.CleanScripts, p)
		}
	}
	sort.Strings(r.CleanScripts)
	return nil
}
