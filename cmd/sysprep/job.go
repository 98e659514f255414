package main

import (
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
)

// buildJob turns the options into the engine's job (callbacks are set by
// the caller). Everything checkable without the image is checked here and
// reported as a usage error.
func buildJob(o *options) (engine.Job, error) {
	if o.input == "" {
		return engine.Job{}, usagef("no input image: give one with -a INPUT")
	}
	if o.output == "" && !o.dryRun {
		return engine.Job{}, usagef("no output image: give one with -o OUTPUT (or use --dry-run)")
	}
	if o.compress != "" && o.compress != "none" && o.format == "raw" {
		return engine.Job{}, usagef("--compress %s needs --format qcow2 (raw images cannot be compressed)", o.compress)
	}
	plan := sysprep.DefaultPlan()
	ops, err := selectOperations(o)
	if err != nil {
		return engine.Job{}, err
	}
	plan.Operations = ops
	if o.machineID != "" {
		plan.MachineID = sysprep.MachineIDMode(o.machineID)
	}
	plan.Customize = o.steps
	plan.KeepUserAccounts = o.keepUsers
	plan.RemoveUserAccounts = o.removeUsers
	plan.CloudInitClean = o.clean
	switch {
	case o.cloudInitPath != "":
		plan.CloudInit = &cloudinit.Config{ExtraYAML: o.cloudInitYAML, FileName: o.cloudInitFile}
		if err := plan.CloudInit.Validate(); err != nil {
			// Name the file, not the Packer setting the message speaks of.
			msg := strings.TrimPrefix(err.Error(), "cloud_init extra YAML: ")
			return engine.Job{}, usagef("--cloud-init-config %s: %s", o.cloudInitPath, strings.ReplaceAll(msg, "\n", "; "))
		}
	case o.cloudInitFile != "":
		return engine.Job{}, usagef("--cloud-init-file %s names the drop-in of --cloud-init-config, which is missing", o.cloudInitFile)
	}
	if err := plan.Validate(); err != nil {
		return engine.Job{}, usagef("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return engine.Job{
		Input:       o.input,
		Output:      o.output,
		Format:      image.Format(o.format),
		Compression: o.compress,
		DiskSize:    o.diskSize,
		Plan:        plan,
		DryRun:      o.dryRun,
	}, nil
}

// selectOperations applies --operations (virt-sysprep's add/remove
// language) or --enable (exactly the names given). nil means defaults.
func selectOperations(o *options) ([]string, error) {
	switch {
	case len(o.operations) > 0 && len(o.enable) > 0:
		return nil, usagef("--operations and --enable cannot be mixed: use --operations (it accepts names, -name, defaults and all)")
	case len(o.enable) > 0:
		var names []string
		for _, spec := range o.enable {
			for _, n := range splitList(spec) {
				if strings.HasPrefix(n, "-") || n == "defaults" || n == "all" {
					return nil, usagef("--enable %s: --enable takes operation names only; use --operations for %q", spec, n)
				}
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, usagef("--enable: no operation named")
		}
		ops, err := sysprep.ResolveOperations([]string{strings.Join(names, ",")})
		if err != nil {
			return nil, usagef("--enable: %v", err)
		}
		return ops, nil
	case len(o.operations) > 0:
		ops, err := sysprep.ResolveOperations(o.operations)
		if err != nil {
			return nil, usagef("--operations: %v", err)
		}
		return ops, nil
	}
	return nil, nil
}
