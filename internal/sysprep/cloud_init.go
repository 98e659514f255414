package sysprep

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
)

func init() { register(cloudInitOp{}) }

// cloudInitOp is `cloud-init clean` done offline (reference §3): instance
// state under /var/lib/cloud (and its seed), cloud-init's logs, optionally
// its generated network/sshd/fstab configs, and the machine-id, tuned by
// Plan.CloudInitClean. Departure from virt-sysprep, which leaves
// /var/lib/cloud alone (libguestfs RFE #119): without this a clone keeps the
// template's instance-id and cloud-init skips its per-instance modules.
type cloudInitOp struct{}

func (cloudInitOp) Name() string { return "cloud-init" }
func (cloudInitOp) Summary() string {
	return "Remove cloud-init instance state, seed and logs (cloud-init clean)"
}
func (cloudInitOp) DefaultOn() bool { return true }

// cloudInitMarkers: any of them means cloud-init is (or was) installed.
var cloudInitMarkers = []string{cloudinit.CloudCfg, cloudinit.DefaultCloudDir, "/usr/bin/cloud-init"}

// cloudInitInstalled reports whether the guest has cloud-init.
func cloudInitInstalled(e *Env) (bool, error) {
	for _, p := range cloudInitMarkers {
		ok, err := fs.Exists(e.Root, p)
		if err != nil {
			return false, fmt.Errorf("%s: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (cloudInitOp) Apply(_ context.Context, e *Env) error {
	if e.Guest != nil && e.Guest.OS != "" && !e.Guest.IsLinux() {
		return nil
	}
	ok, err := cloudInitInstalled(e)
	if err != nil || !ok {
		return err
	}
	o := e.Plan.CloudInitClean
	res, err := cloudinit.Clean(e.Root, o)
	for _, w := range res.Warnings {
		e.Warnf("cloud-init clean: %s", w)
	}
	if err != nil {
		return err
	}
	e.Logf("cloud-init clean: removed %d paths, cloud_dir %s", len(res.Removed), res.CloudDir)
	switch {
	case res.AlreadyClean:
		e.Note("%s absent: instance state already clean", res.CloudDir)
	case res.SeedKept:
		e.Note("%s/seed kept (seed cleaning off)", res.CloudDir)
	}
	if len(res.CleanScripts) > 0 {
		e.Warnf("cloud-init clean: %d script(s) in %s cannot run offline: %s; they would have to run in the guest",
			len(res.CleanScripts), cloudinit.CleanDir, strings.Join(res.CleanScripts, ", "))
		e.Note("not run (guest code): %s", strings.Join(res.CleanScripts, ", "))
	}
	if o.MachineID {
		return cloudInitResetMachineID(e)
	}
	return nil
}

// cloudInitMachineIDPath is systemd's machine ID file.
const cloudInitMachineIDPath = "/etc/machine-id"

// cloudInitUninitialized is what `cloud-init clean --machine-id` writes on
// a systemd guest: a new ID and a systemd first boot (ConditionFirstBoot).
const cloudInitUninitialized = "uninitialized\n"

// cloudInitResetMachineID leaves /etc/machine-id in the plan's mode, as the
// machine-id operation does. Unlike `cloud-init clean --machine-id` on a
// non-systemd guest, it never deletes the file: offline we cannot tell
// whether the guest boots systemd, and a missing file breaks some distros'
// first boot. A symlink or other non-regular file is left alone.
func cloudInitResetMachineID(e *Env) error {
	st, err := e.Root.Lstat(cloudInitMachineIDPath)
	if err != nil && !errors.Is(err, iofs.ErrNotExist) && !errors.Is(err, fs.ErrNotDir) {
		return fmt.Errorf("%s: %w", cloudInitMachineIDPath, err)
	}
	missing := err != nil
	if !missing && !st.IsRegular() {
		e.Warnf("%s is not a regular file: left alone", cloudInitMachineIDPath)
		e.Note("machine-id: left alone (not a regular file)")
		return nil
	}
	switch e.Plan.MachineID {
	case MachineIDUninitialized:
		if missing {
			if st, err := e.Root.Lstat("/etc"); err != nil || !st.IsDir() {
				return nil // no /etc: not a system whose machine-id we manage
			}
		}
		if missing || !cloudInitFileIs(e, cloudInitMachineIDPath, cloudInitUninitialized) {
			if err := e.Root.WriteFile(cloudInitMachineIDPath, []byte(cloudInitUninitialized), 0o444); err != nil {
				return fmt.Errorf("%s: %w", cloudInitMachineIDPath, err)
			}
		}
		if missing || st.Mode.Perm() != 0o444 {
			if err := e.Root.Chmod(cloudInitMachineIDPath, 0o444); err != nil {
				return fmt.Errorf("%s: %w", cloudInitMachineIDPath, err)
			}
		}
		e.Note("machine-id: %q (a new ID and a systemd first boot)", strings.TrimSpace(cloudInitUninitialized))
	default: // MachineIDEmpty
		if missing {
			e.Note("machine-id: absent, left absent (systemd treats it as a first boot)")
			return nil
		}
		if st.Size != 0 {
			if err := e.Root.Truncate(cloudInitMachineIDPath, 0); err != nil {
				return fmt.Errorf("%s: %w", cloudInitMachineIDPath, err)
			}
		}
		e.Note("machine-id: empty (a new ID at boot, not a systemd first boot)")
	}
	return nil
}

// cloudInitFileIs reports whether the regular file p holds exactly want.
func cloudInitFileIs(e *Env, p, want string) bool {
	r, size, err := e.Root.Open(p)
	if err != nil || size != int64(len(want)) {
		return false
	}
	buf := make([]byte, size)
	n, _ := r.ReadAt(buf, 0)
	return n == len(buf) && string(buf) == want
}
