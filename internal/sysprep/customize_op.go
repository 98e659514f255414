package sysprep

import (
	"context"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
)

func init() { register(customizeOp{}) }

// customizeOp runs the virt-customize steps of the plan (hostname,
// timezone, passwords, file edits...). Like virt-sysprep it runs last.
// Unlike virt-sysprep it does nothing when no step is given: it never
// refills the machine-id or the random seed behind the user's back.
type customizeOp struct{}

func (customizeOp) Name() string { return "customize" }
func (customizeOp) Summary() string {
	return "Customize the guest (hostname, timezone, passwords, files...)"
}
func (customizeOp) DefaultOn() bool { return true }
func (customizeOp) Order() int      { return 99 }

func (customizeOp) Apply(ctx context.Context, e *Env) error {
	if len(e.Plan.Customize) == 0 {
		return nil
	}
	return customize.Apply(ctx, customize.Target{
		Guest: e.Guest, Root: e.Root, Logf: e.Logf, Warnf: e.Warnf, Stdout: e.Stdout,
	}, e.Plan.Customize)
}
