package guest

import (
	"errors"
	"fmt"
	iofs "io/fs"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/selinux"
)

// setupSELinux makes every create through m.Root labelled in an SELinux
// guest. When the policy cannot be read, Close creates /.autorelabel
// instead (if the guest is writable and something was created).
func (m *Mounted) setupSELinux() error {
	cfg, err := selinux.ReadConfig(m.Root)
	if err != nil {
		// A config we cannot parse: the guest may well be SELinux.
		m.Warnings = append(m.Warnings, fmt.Sprintf("SELinux: %v; relabelling on first boot", err))
		m.SELinux, m.relabelFallback = "relabel on first boot (policy unreadable)", true
		return nil
	}
	if !cfg.Enabled() {
		return nil
	}
	if m.readOnly {
		// Nothing will be created: report without compiling the policy.
		fc := selinux.FileContextsPath(cfg.Type)
		if _, err := m.Root.Stat(fc); err != nil {
			m.SELinux = "relabel on first boot (policy unreadable)"
		} else {
			m.SELinux = "labels from " + fc
		}
		return nil
	}
	pol, err := selinux.Load(m.Root)
	if err != nil {
		if !errors.Is(err, selinux.ErrNoPolicy) {
			return fmt.Errorf("SELinux: %w", err)
		}
		m.Warnings = append(m.Warnings, fmt.Sprintf("SELinux: %v; new files will be labelled by a relabel on first boot", err))
		m.SELinux, m.relabelFallback = "relabel on first boot (policy unreadable)", true
		return nil
	}
	if pol.Skipped > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("SELinux: %d lines of %s could not be used", pol.Skipped, pol.Path))
	}
	m.SELinux = "labels from " + pol.Path
	m.Root.onCreate = func(g string, mode iofs.FileMode) error {
		return pol.Apply(m.Root, g, mode)
	}
	return nil
}
