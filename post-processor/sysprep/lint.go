package sysprep

import (
	"fmt"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

// lint returns the settings that contradict each other: they are legal, but
// some of them would have no effect. Shown by `packer validate` and at the
// start of the post-processor's run.
func (c *Config) lint(plan *sysprep.Plan) []string {
	if plan == nil {
		return nil
	}
	var w []string
	enabled := func(op string) bool {
		if _, ok := sysprep.Lookup(op); !ok {
			return true // not registered (yet): nothing to say
		}
		ops := plan.Operations
		if ops == nil {
			ops, _ = sysprep.ResolveOperations(nil)
		}
		for _, n := range ops {
			if n == op {
				return true
			}
		}
		return false
	}
	if len(plan.Customize) > 0 && !enabled("customize") {
		w = append(w, "hostname, timezone, root password and customize blocks are applied by the \"customize\" operation, which operations leaves out: they will have no effect")
	}
	if plan.CloudInit != nil {
		if !enabled("cloud-init-config") {
			w = append(w, "the cloud_init block is written by the \"cloud-init-config\" operation, which operations leaves out: it will have no effect")
		}
		for _, m := range plan.CloudInit.Lint() {
			w = append(w, "cloud_init: "+m)
		}
	}
	if c.CloudInitClean != nil && !enabled("cloud-init") {
		w = append(w, "cloud_init_clean tunes the \"cloud-init\" operation, which operations leaves out: it will have no effect")
	}
	if c.DryRun && c.Output != "" {
		w = append(w, fmt.Sprintf("dry_run is set: no image is written to %q", c.Output))
	}
	return w
}
