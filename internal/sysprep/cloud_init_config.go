package sysprep

import (
	"bytes"
	"context"
	"fmt"
	"path"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
)

func init() { register(cloudInitConfigOp{}) }

// cloudInitConfigOp bakes the plan's cloud-init defaults into the image as a
// /etc/cloud/cloud.cfg.d drop-in (the Rocky golden-image recipe's
// 99-custom-defaults.cfg), after the clean and before customize.
// New: virt-sysprep would need --mkdir and --write for this.
type cloudInitConfigOp struct{}

func (cloudInitConfigOp) Name() string { return "cloud-init-config" }
func (cloudInitConfigOp) Summary() string {
	return "Write the cloud-init defaults drop-in (/etc/cloud/cloud.cfg.d)"
}
func (cloudInitConfigOp) DefaultOn() bool { return true }
func (cloudInitConfigOp) Order() int      { return 90 }

func (cloudInitConfigOp) Apply(_ context.Context, e *Env) error {
	c := e.Plan.CloudInit
	if c == nil {
		return nil
	}
	data, err := c.Render()
	if err != nil {
		return err
	}
	for _, w := range c.Lint() {
		e.Warnf("cloud-init config: %s", w)
	}
	installed, err := cloudInitInstalled(e)
	if err != nil {
		return err
	}
	if !installed {
		e.Warnf("cloud-init config: the guest has no cloud-init (no %s, %s or /usr/bin/cloud-init): the drop-in will have no effect",
			cloudinit.CloudCfg, cloudinit.DefaultCloudDir)
	}
	shadowed, err := c.Shadowed(e.Root)
	if err != nil {
		return fmt.Errorf("%s: %w", cloudinit.DropInDir, err)
	}
	for _, w := range shadowed {
		e.Warnf("cloud-init config: %s", w)
	}
	// Paths this operation creates take their parent's SELinux label.
	var created []string
	for _, q := range []string{path.Dir(cloudinit.DropInDir), cloudinit.DropInDir, c.Path()} {
		if ok, err := fs.Exists(e.Root, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		} else if !ok {
			created = append(created, q)
		}
	}
	p := c.Path()
	st, err := e.Root.Lstat(p)
	switch {
	case err == nil && !st.IsRegular():
		return fmt.Errorf("%s exists and is not a regular file: remove it or choose another file name", p)
	case err == nil:
		if old, rerr := fs.ReadFile(e.Root, p); rerr == nil && bytes.Equal(old, data) && st.Mode.Perm() == 0o644 && st.Uid == 0 && st.Gid == 0 {
			e.Note("%s already up to date", p)
			return nil
		}
	}
	if err := fs.MkdirAll(e.Root, cloudinit.DropInDir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", cloudinit.DropInDir, err)
	}
	if err := e.Root.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	// WriteFile keeps an existing file's mode and owner: force ours.
	if st, err := e.Root.Lstat(p); err == nil {
		if st.Mode.Perm() != 0o644 {
			if err := e.Root.Chmod(p, 0o644); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		if st.Uid != 0 || st.Gid != 0 {
			if err := e.Root.Lchown(p, 0, 0); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	// New paths take their parent's SELinux label (etc_t), so an enforcing
	// guest lets cloud-init read the file without a relabel.
	for _, q := range created {
		if err := cloudInitInheritLabel(e, q); err != nil {
			return err
		}
	}
	e.Note("wrote %s (%d bytes)", p, len(data))
	return nil
}

// cloudInitSELinuxXattr holds a file's SELinux label.
const cloudInitSELinuxXattr = "security.selinux"

// cloudInitInheritLabel gives p, which this operation created, its parent
// directory's SELinux label when p has none and the parent has one.
// Filesystems without xattrs are fine.
func cloudInitInheritLabel(e *Env, p string) error {
	parent, err := e.Root.GetXattrs(path.Dir(p))
	if err != nil {
		return nil // no xattr support: no SELinux labels to keep consistent
	}
	label, ok := parent[cloudInitSELinuxXattr]
	if !ok {
		return nil
	}
	own, err := e.Root.GetXattrs(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if _, labelled := own[cloudInitSELinuxXattr]; labelled {
		return nil
	}
	if err := e.Root.SetXattr(p, cloudInitSELinuxXattr, label); err != nil {
		return fmt.Errorf("%s: set SELinux label: %w", p, err)
	}
	return nil
}
