// Package cloudinit builds the cloud.cfg.d drop-in a golden image carries,
// lints it against cloud-init's merge and module rules, and implements
// `cloud-init clean` offline.
package cloudinit

import "fmt"

// DefaultFileName is the drop-in written under /etc/cloud/cloud.cfg.d/.
const DefaultFileName = "99-packer-sysprep.cfg"

// DropInDir is where cloud-init reads drop-ins (*.cfg, in name order, later
// names win, all over /etc/cloud/cloud.cfg).
const DropInDir = "/etc/cloud/cloud.cfg.d"

// Config is the cloud-init defaults to bake into the image. Nil pointers and
// nil slices mean "not set" (inherit from the image's cloud.cfg); an empty
// non-nil module list means "run no module of that stage".
type Config struct {
	// FileName in /etc/cloud/cloud.cfg.d/ (must end in ".cfg").
	FileName       string
	DefaultUser    *DefaultUser
	SSHPwauth      *bool
	DisableRoot    *bool
	Packages       []string
	DatasourceList []string
	InitModules    []string // cloud_init_modules
	ConfigModules  []string // cloud_config_modules
	FinalModules   []string // cloud_final_modules
	// ExtraYAML is merged in (a YAML mapping); typed fields above win.
	ExtraYAML string
}

// Path returns the guest path of the drop-in: DropInDir/FileName, or
// DefaultFileName when FileName is empty.
func (c *Config) Path() string { return DropInDir + "/" + c.fileName() }

// DefaultUser is system_info.default_user.
type DefaultUser struct {
	Name              string
	Sudo              []string
	Shell             string
	Groups            []string
	LockPasswd        *bool
	SSHAuthorizedKeys []string
}

// CleanOptions mirror `cloud-init clean --logs --seed --machine-id --configs`.
type CleanOptions struct {
	Logs      bool
	Seed      bool
	MachineID bool
	Configs   []string // "all", "network", "ssh_config", "fstab"
}

// DefaultCleanOptions: logs, seed and machine-id on, configs off.
func DefaultCleanOptions() CleanOptions {
	return CleanOptions{Logs: true, Seed: true, MachineID: true}
}

// Validate checks the clean options.
func (o CleanOptions) Validate() error {
	for _, c := range o.Configs {
		switch c {
		case "all", "network", "ssh_config", "fstab":
		default:
			return fmt.Errorf("cloud_init_clean configs: unknown value %q (want all, network, ssh_config or fstab)", c)
		}
	}
	return nil
}
