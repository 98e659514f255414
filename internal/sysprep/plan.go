package sysprep

import (
	"fmt"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
)

// MachineIDMode says what /etc/machine-id holds after sysprep.
type MachineIDMode string

const (
	// MachineIDEmpty leaves an empty file: systemd makes a new ID at boot
	// (not a "first boot"). The default. Unlike virt-sysprep, we never refill it.
	MachineIDEmpty MachineIDMode = "empty"
	// MachineIDUninitialized writes "uninitialized\n": a new ID and a
	// systemd first boot (ConditionFirstBoot units run).
	MachineIDUninitialized MachineIDMode = "uninitialized"
)

// Plan is everything a run does to the guest. The Packer post-processor and
// the CLI only build a Plan; the engine applies it.
type Plan struct {
	// Operations to run, by name (see ResolveOperations). nil means defaults.
	Operations []string
	// MachineID is the machine-id outcome ("" means MachineIDEmpty).
	MachineID MachineIDMode
	// Customize are virt-customize steps, applied in order by the
	// "customize" operation (passwords last, SELinux relabel last).
	Customize []customize.Step
	// CloudInit, when not nil, is baked into /etc/cloud/cloud.cfg.d/ by the
	// "cloud-init-config" operation.
	CloudInit *cloudinit.Config
	// CloudInitClean tunes the "cloud-init" operation.
	CloudInitClean cloudinit.CleanOptions
	// KeepUserAccounts and RemoveUserAccounts tune "user-account".
	KeepUserAccounts   []string
	RemoveUserAccounts []string
}

// DefaultPlan returns the plan of a run with no options: default
// operations, machine-id empty, cloud-init clean with logs, seed and machine-id.
func DefaultPlan() *Plan {
	return &Plan{MachineID: MachineIDEmpty, CloudInitClean: cloudinit.DefaultCleanOptions()}
}

// Validate checks everything that can be checked without the guest and
// returns all problems joined.
func (p *Plan) Validate() error {
	var errs []error
	if p.Operations != nil {
		for _, n := range p.Operations {
			if _, ok := Lookup(n); !ok {
				errs = append(errs, fmt.Errorf("%s", unknownOperation(n)))
			}
		}
	}
	switch p.MachineID {
	case "", MachineIDEmpty, MachineIDUninitialized:
	default:
		errs = append(errs, fmt.Errorf("machine_id %q: want %q or %q", p.MachineID, MachineIDEmpty, MachineIDUninitialized))
	}
	for _, s := range p.Customize {
		if err := s.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if p.CloudInit != nil {
		if err := p.CloudInit.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.CloudInitClean.Validate(); err != nil {
		errs = append(errs, err)
	}
	if (len(p.KeepUserAccounts) > 0 || len(p.RemoveUserAccounts) > 0) && !p.enabled("user-account") {
		errs = append(errs, fmt.Errorf("keep/remove user accounts given but the user-account operation is not enabled (add it to operations)"))
	}
	return joinErrors(errs)
}

func (p *Plan) enabled(name string) bool {
	ops := p.Operations
	if ops == nil {
		ops, _ = ResolveOperations(nil)
	}
	for _, n := range ops {
		if n == name {
			return true
		}
	}
	return false
}
