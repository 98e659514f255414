package sysprep

import (
	"errors"
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
	"github.com/zclconf/go-cty/cty"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
)

// notInterpolated are the keys a legacy JSON template leaves raw: output
// and report are rendered in PostProcess with the artifact's data; the others
// may hold a literal "{{" (file contents, YAML, passwords).
var notInterpolated = []string{
	"output", "report", "customize", "cloud_init", "root_password", "root_password_hash",
}

// decode turns the raw configuration into p.config. HCL2 templates have
// their own interpolation, so their strings are taken literally (the SDK's
// Go-template pass would reject a password or file content containing "{{");
// only output and report are rendered, in PostProcess.
func (p *PostProcessor) decode(raws ...interface{}) error {
	hcl2 := false
	for _, r := range raws {
		if _, ok := r.(cty.Value); ok {
			hcl2 = true
		}
	}
	err := config.Decode(&p.config, &config.DecodeOpts{
		PluginType:         pluginType,
		Interpolate:        !hcl2,
		InterpolateContext: &p.config.ctx,
		InterpolateFilter:  &interpolate.RenderFilter{Exclude: notInterpolated},
	}, raws...)
	if err != nil {
		return err
	}
	p.config.ctx.BuildName = p.config.PackerBuildName
	p.config.ctx.BuildType = p.config.PackerBuilderType
	return nil
}

// validate checks the whole configuration, builds the plan and returns
// every problem at once, plus the warnings (contradictory settings).
func (c *Config) validate() (plan *sysprep.Plan, diskSize int64, warnings []string, err error) {
	var errs *packersdk.MultiError
	add := func(e error) { errs = packersdk.MultiErrorAppend(errs, e) }

	switch c.Format {
	case "", "qcow2", "raw":
	default:
		add(fmt.Errorf("format %q: want qcow2 or raw", c.Format))
	}
	switch c.Compression {
	case "", "none":
	case "zlib", "zstd":
		if c.Format == "raw" {
			add(fmt.Errorf("compression %q needs format = \"qcow2\" (a raw image cannot be compressed)", c.Compression))
		}
	default:
		add(fmt.Errorf("compression %q: want none, zlib or zstd", c.Compression))
	}
	if c.DiskSize != "" {
		n, e := size.Parse(c.DiskSize)
		if e != nil {
			add(fmt.Errorf("disk_size: %w", e))
		}
		diskSize = n
	}

	plan, ps := c.plan()
	for _, e := range ps {
		add(e)
	}
	if e := plan.Validate(); e != nil {
		for _, line := range strings.Split(e.Error(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				add(errors.New(line))
			}
		}
	}
	warnings = c.lint(plan)
	if errs != nil && len(errs.Errors) > 0 {
		return nil, 0, warnings, errs
	}
	return plan, diskSize, warnings, nil
}

// plan translates the configuration into a sysprep.Plan; problems found on
// the way are returned (all of them).
func (c *Config) plan() (*sysprep.Plan, []error) {
	var errs []error
	plan := sysprep.DefaultPlan()
	if len(c.Operations) > 0 {
		ops, err := sysprep.ResolveOperations(c.Operations)
		if err != nil {
			// The CLI's hint names its flag; here the list is `sysprep --list-operations` or the docs.
			msg := strings.TrimSuffix(err.Error(), " (see --list-operations)")
			errs = append(errs, fmt.Errorf("operations: %s (the operations are listed in the README and by `sysprep --list-operations`)", msg))
		}
		plan.Operations = ops
	}
	if c.MachineID != "" {
		plan.MachineID = sysprep.MachineIDMode(c.MachineID)
	}

	if c.Hostname != "" {
		plan.Customize = append(plan.Customize, customize.Step{Op: "hostname", Arg: c.Hostname})
	}
	if c.Timezone != "" {
		plan.Customize = append(plan.Customize, customize.Step{Op: "timezone", Arg: c.Timezone})
	}
	for i, s := range c.Customize {
		if s.Op == "" {
			errs = append(errs, fmt.Errorf("customize block %d: op is required", i+1))
			continue
		}
		step := customize.Step{Op: strings.TrimPrefix(s.Op, "--"), Arg: s.Arg}
		registerSecrets(step)
		plan.Customize = append(plan.Customize, step)
	}
	sel, err := c.rootPasswordSelector()
	if err != nil {
		errs = append(errs, err)
	} else if sel != "" {
		plan.Customize = append(plan.Customize, customize.Step{Op: "root-password", Arg: sel})
	}

	plan.KeepUserAccounts = c.KeepUserAccounts
	plan.RemoveUserAccounts = c.RemoveUserAccounts

	if c.CloudInit != nil {
		plan.CloudInit = c.CloudInit.toConfig()
	}
	if cl := c.CloudInitClean; cl != nil {
		plan.CloudInitClean = cloudinit.CleanOptions{
			Logs:      !cl.Logs.False(),
			Seed:      !cl.Seed.False(),
			MachineID: !cl.MachineID.False(),
			Configs:   cl.Configs,
		}
	}
	return plan, errs
}

// hashSelectorPrefix is the password selector for a pre-hashed crypt(3)
// string, written to /etc/shadow unchanged (an extension of virt-customize's
// selectors, which has none).
const hashSelectorPrefix = "hash:"

// rootPasswordSelector maps the root password options to a virt-customize
// --root-password selector. The selector holds the secret: never log it.
func (c *Config) rootPasswordSelector() (string, error) {
	switch {
	case c.RootPassword != "" && c.RootPasswordHash != "":
		return "", errors.New("root_password and root_password_hash: set only one")
	case c.RootPasswordDisabled && (c.RootPassword != "" || c.RootPasswordHash != "" || c.RootPasswordLocked):
		return "", errors.New("root_password_disabled cannot be combined with root_password, root_password_hash or root_password_locked")
	case c.RootPasswordDisabled:
		return "disabled", nil
	}
	var sel string
	switch {
	case c.RootPassword != "":
		sel = "password:" + c.RootPassword
	case c.RootPasswordHash != "":
		if !strings.HasPrefix(c.RootPasswordHash, "$") || strings.ContainsAny(c.RootPasswordHash, ":\n") {
			return "", errors.New("root_password_hash: want a crypt(3) string such as $6$salt$hash or $y$j9T$salt$hash (from `mkpasswd` or `openssl passwd -6`)")
		}
		sel = hashSelectorPrefix + c.RootPasswordHash
	}
	if c.RootPasswordLocked {
		if sel == "" {
			return "locked", nil
		}
		return "locked:" + sel, nil
	}
	return sel, nil
}

// registerSecrets redacts the password in a password or root-password step
// ("[USER:][locked:]password:PW") from every log line and UI message.
func registerSecrets(s customize.Step) {
	if s.Op != "password" && s.Op != "root-password" {
		return
	}
	if _, pw, ok := strings.Cut(s.Arg, "password:"); ok && pw != "" {
		packersdk.LogSecretFilter.Set(pw)
	}
}

// toConfig converts the HCL block into the engine's cloud-init config. nil
// slices stay nil (unset); an HCL `[]` arrives as an empty non-nil slice and
// means "run no module of that stage".
func (ci *CloudInit) toConfig() *cloudinit.Config {
	out := &cloudinit.Config{
		FileName:       ci.FileName,
		SSHPwauth:      ci.SSHPwauth,
		DisableRoot:    ci.DisableRoot,
		Packages:       ci.Packages,
		DatasourceList: ci.DatasourceList,
		InitModules:    ci.CloudInitModules,
		ConfigModules:  ci.CloudConfigModules,
		FinalModules:   ci.CloudFinalModules,
		ExtraYAML:      ci.ExtraYAML,
	}
	if out.FileName == "" {
		out.FileName = cloudinit.DefaultFileName
	}
	if u := ci.DefaultUser; u != nil {
		out.DefaultUser = &cloudinit.DefaultUser{
			Name:              u.Name,
			Sudo:              u.Sudo,
			Shell:             u.Shell,
			Groups:            u.Groups,
			LockPasswd:        u.LockPasswd,
			SSHAuthorizedKeys: u.SSHAuthorizedKeys,
		}
	}
	return out
}
