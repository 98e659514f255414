package sysprep

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// RunOptions carry the callbacks of a run. Nil callbacks discard.
type RunOptions struct {
	Logf   func(format string, args ...any)
	Warnf  func(format string, args ...any)
	Stdout func(line string)
	// Progress is called before each operation (for the Packer UI).
	Progress func(op string)
}

// Run applies the plan's operations to the guest, sorted by (order, name),
// and reports every path each one removed, changed or created. The first
// failing operation stops the run; its error is prefixed with its name.
func Run(ctx context.Context, g *guest.Guest, root fs.FS, plan *Plan, o RunOptions) (*Report, error) {
	if g == nil || root == nil {
		return nil, fmt.Errorf("sysprep: no inspected guest or guest root (inspect the image first)")
	}
	if plan == nil {
		plan = DefaultPlan()
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	names := plan.Operations
	if names == nil {
		var err error
		if names, err = ResolveOperations(nil); err != nil {
			return nil, err
		}
	}
	ops := make([]Operation, 0, len(names))
	for _, n := range names {
		op, _ := Lookup(n) // Validate checked the names
		ops = append(ops, op)
	}
	sort.SliceStable(ops, func(i, j int) bool {
		if oi, oj := order(ops[i]), order(ops[j]); oi != oj {
			return oi < oj
		}
		return ops[i].Name() < ops[j].Name()
	})
	rec := &recorder{FS: root}
	env := &Env{Guest: g, Root: rec, Plan: plan, Logf: o.Logf, Warnf: o.Warnf, Stdout: o.Stdout}
	if env.Logf == nil {
		env.Logf = func(string, ...any) {}
	}
	if env.Warnf == nil {
		env.Warnf = func(string, ...any) {}
	}
	if env.Stdout == nil {
		env.Stdout = func(string) {}
	}
	rep := &Report{}
	for _, op := range ops {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if o.Progress != nil {
			o.Progress(op.Name())
		}
		start := time.Now()
		r := OpReport{Name: op.Name()}
		env.notes = nil
		err := op.Apply(ctx, env)
		rec.mu.Lock()
		rec.t.flush(&r)
		rec.mu.Unlock()
		r.Notes = env.notes
		r.Seconds = time.Since(start).Seconds()
		rep.Operations = append(rep.Operations, r)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", op.Name(), err)
		}
	}
	return rep, nil
}

// Note adds a user-facing remark to the current operation's report.
func (e *Env) Note(format string, args ...any) {
	e.notes = append(e.notes, fmt.Sprintf(format, args...))
}
