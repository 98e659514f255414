//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,CustomizeStep,CloudInit,DefaultUser,CloudInitClean
//go:generate go tool packer-sdc struct-markdown

package sysprep

import (
	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
)

// Config is the `post-processor "sysprep"` block.
type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// Path of the generalized image to write. A Go template with
	// `{{.BuildName}}`, `{{.BuilderType}}`, `{{.InputName}}` (the input file
	// name without its extension), `{{.InputDir}}` and `{{.Format}}`, e.g.
	// `"output/{{.BuildName}}-golden.qcow2"`. Missing directories are
	// created. The input image is never modified. An existing file is an
	// error unless `packer build -force`. Defaults to
	// `<input dir>/<input name>-sysprep.<format>`.
	Output string `mapstructure:"output"`
	// Format of the output image: `qcow2` or `raw`. Defaults to the output name's extension (`.qcow2`; `.raw` or `.img`), else the input's format.
	Format string `mapstructure:"format"`
	// Compression of the output's clusters: `none`, `zlib` or `zstd`
	// (qcow2 only). Defaults to `none`.
	Compression string `mapstructure:"compression"`
	// Virtual size of the output disk, larger than or equal to the input's:
	// bytes, or a number with a `K`, `M`, `G` or `T` suffix (powers of
	// 1024), e.g. `"20G"` or `"20480M"`. Only the disk grows; partitions and
	// filesystems are left for cloud-init's growpart/resizefs at first boot.
	// Defaults to the input's size.
	DiskSize string `mapstructure:"disk_size"`
	// Which of the input artifact's files is the disk, when it has several
	// disk images (or when the builder is not one this post-processor knows).
	// A path as listed in the artifact, or its base name.
	DiskFile string `mapstructure:"disk_file"`
	// The sysprep operations to run, in virt-sysprep's `--operations` syntax:
	// each item is an operation name, `-name` to drop one, `defaults` or
	// `all`, and may itself be a comma-separated list. Items apply left to
	// right starting from an empty set; an unset list means `["defaults"]`.
	// Example: `["defaults", "-ssh-userdir", "customize"]`.
	Operations []string `mapstructure:"operations"`
	// What `/etc/machine-id` holds afterwards: `empty` (a new ID is made at
	// boot) or `uninitialized` (a new ID and a systemd "first boot").
	// Defaults to `empty`.
	MachineID string `mapstructure:"machine_id"`
	// Host name to set (virt-customize `--hostname`, per-distro files).
	Hostname string `mapstructure:"hostname"`
	// Time zone to set, e.g. `Europe/London` (virt-customize `--timezone`):
	// `/etc/localtime` points to `/usr/share/zoneinfo/<zone>`, which must
	// exist in the guest.
	Timezone string `mapstructure:"timezone"`
	// Plain-text root password, hashed in the guest's crypt scheme (yescrypt
	// or SHA-512 crypt, as the distribution's login.defs says). Sensitive:
	// Packer redacts it and the plugin never logs it.
	RootPassword string `mapstructure:"root_password"`
	// Pre-hashed root password (a crypt(3) string such as `$6$salt$hash` or
	// `$y$j9T$salt$hash`), written to /etc/shadow as is. Conflicts with
	// `root_password`. Sensitive.
	RootPasswordHash string `mapstructure:"root_password_hash"`
	// Lock the root password (`!!` prefix in /etc/shadow). With
	// `root_password` or `root_password_hash` the password is set and locked.
	RootPasswordLocked bool `mapstructure:"root_password_locked"`
	// Disable password login for root (`*` in /etc/shadow). Conflicts with the
	// other root password options.
	RootPasswordDisabled bool `mapstructure:"root_password_disabled"`
	// With the `user-account` operation: the accounts to keep (all others
	// with a UID of 1000 or more are removed).
	KeepUserAccounts []string `mapstructure:"keep_user_accounts"`
	// With the `user-account` operation: the only accounts to remove.
	RemoveUserAccounts []string `mapstructure:"remove_user_accounts"`
	// virt-customize steps, applied in order by the `customize` operation:
	// `customize { op = "append-line" arg = "/etc/hosts:10.0.0.1 foo" }`.
	// `op` is any virt-customize option name without dashes, `arg` its
	// argument exactly as on virt-customize's command line.
	Customize []CustomizeStep `mapstructure:"customize"`
	// cloud-init defaults to bake into `/etc/cloud/cloud.cfg.d/`.
	CloudInit *CloudInit `mapstructure:"cloud_init"`
	// What the `cloud-init` operation cleans (like `cloud-init clean`).
	CloudInitClean *CloudInitClean `mapstructure:"cloud_init_clean"`
	// Path of a JSON report of the run: every path removed, changed and
	// created by each operation, the guest found, sizes and timings. A Go
	// template like `output`.
	Report string `mapstructure:"report"`
	// Inspect and apply everything in memory, report, and write no image.
	// The input artifact is passed on unchanged.
	DryRun bool `mapstructure:"dry_run"`

	ctx interpolate.Context
}

// CustomizeStep is one virt-customize option.
type CustomizeStep struct {
	// The virt-customize option name without dashes, e.g. `write`,
	// `append-line`, `mkdir`, `delete`, `ssh-inject`, `password`.
	Op string `mapstructure:"op" required:"true"`
	// Its argument, e.g. `/etc/motd:Welcome` for `write`.
	Arg string `mapstructure:"arg"`
}

// CloudInit is the cloud.cfg.d drop-in to write.
type CloudInit struct {
	// File name in `/etc/cloud/cloud.cfg.d/` (a plain name ending in `.cfg`).
	// Defaults to `99-packer-sysprep.cfg`.
	FileName string `mapstructure:"file_name"`
	// `system_info.default_user`: the user cloud-init creates at first boot.
	DefaultUser *DefaultUser `mapstructure:"default_user"`
	// `ssh_pwauth`: allow SSH password authentication.
	SSHPwauth *bool `mapstructure:"ssh_pwauth"`
	// `disable_root`: refuse SSH logins as root.
	DisableRoot *bool `mapstructure:"disable_root"`
	// `packages` to install at first boot (needs the `package_update_upgrade_install`
	// module in the final stage).
	Packages []string `mapstructure:"packages"`
	// `datasource_list`, e.g. `["NoCloud", "ConfigDrive", "None"]`.
	DatasourceList []string `mapstructure:"datasource_list"`
	// `cloud_init_modules`. Unset keeps the image's list; `[]` runs none.
	CloudInitModules []string `mapstructure:"cloud_init_modules"`
	// `cloud_config_modules`. Unset keeps the image's list; `[]` runs none.
	CloudConfigModules []string `mapstructure:"cloud_config_modules"`
	// `cloud_final_modules`. Unset keeps the image's list; `[]` runs none
	// (no `runcmd`, no `packages`).
	CloudFinalModules []string `mapstructure:"cloud_final_modules"`
	// Raw YAML (a mapping) merged into the file; the typed settings above
	// win on conflicts. Checked to be valid YAML at validate time.
	ExtraYAML string `mapstructure:"extra_yaml"`
}

// DefaultUser is cloud-init's `system_info.default_user`.
type DefaultUser struct {
	// User name, e.g. `admin`.
	Name string `mapstructure:"name" required:"true"`
	// sudo rules, e.g. `["ALL=(ALL) NOPASSWD:ALL"]`.
	Sudo []string `mapstructure:"sudo"`
	// Login shell, e.g. `/bin/bash`.
	Shell string `mapstructure:"shell"`
	// Supplementary groups, e.g. `["wheel", "adm"]`.
	Groups []string `mapstructure:"groups"`
	// Lock the user's password (cloud-init's default is `true`).
	LockPasswd *bool `mapstructure:"lock_passwd"`
	// Public keys for the user's `authorized_keys`.
	SSHAuthorizedKeys []string `mapstructure:"ssh_authorized_keys"`
}

// CloudInitClean tunes the `cloud-init` operation, the offline `cloud-init clean`.
type CloudInitClean struct {
	// Remove cloud-init's logs (`--logs`). Defaults to `true`.
	Logs config.Trilean `mapstructure:"logs"`
	// Remove the seed directory (`--seed`). Defaults to `true`.
	Seed config.Trilean `mapstructure:"seed"`
	// Let cloud-init's clean also reset /etc/machine-id (`--machine-id`).
	// Defaults to `true`.
	MachineID config.Trilean `mapstructure:"machine_id"`
	// Generated configuration to remove (`--configs`): `all`, `network`,
	// `ssh_config` or `fstab`. Defaults to none.
	Configs []string `mapstructure:"configs"`
}
