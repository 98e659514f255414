// Package sysprep holds the operations registry (one file per operation,
// virt-sysprep's names and defaults), the plan and the runner that applies a
// plan to an inspected guest and reports every path it touched.
package sysprep

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// Operation is one sysprep operation, e.g. "machine-id".
type Operation interface {
	Name() string    // virt-sysprep's name: lower case, digits and '-'
	Summary() string // one line for --list-operations
	DefaultOn() bool // part of "defaults"
	// Apply does the work. It must be idempotent and gate itself on the
	// guest (return nil when the guest is not concerned).
	Apply(ctx context.Context, e *Env) error
}

// Ordered is implemented by operations that must run before or after the
// others (lower first; the default order is 0). customize is 99.
type Ordered interface{ Order() int }

// Env is what an operation works with.
type Env struct {
	Guest *guest.Guest
	// Root is the guest's whole tree (all mounted filesystems, symlinks
	// resolved inside the guest). Every change made through it is recorded
	// in the report.
	Root fs.FS
	Plan *Plan
	// Logf writes a detail line (shown with -v / PACKER_LOG). Never pass a secret.
	Logf func(format string, args ...any)
	// Warnf reports something the user should know (shown always).
	Warnf func(format string, args ...any)
	// Stdout receives output the user asked for (e.g. a random password).
	Stdout func(line string)

	notes []string
}

var (
	regMu    sync.RWMutex
	registry = map[string]Operation{}
	nameRE   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// register adds an operation; operations call it from init. It panics on a
// duplicate or malformed name, or a reserved selection word.
func register(op Operation) {
	regMu.Lock()
	defer regMu.Unlock()
	n := op.Name()
	if !nameRE.MatchString(n) || n == "defaults" || n == "all" {
		panic(fmt.Sprintf("sysprep: malformed operation name %q", n))
	}
	if _, dup := registry[n]; dup {
		panic("sysprep: operation registered twice: " + n)
	}
	if op.Summary() == "" {
		panic("sysprep: operation without summary: " + n)
	}
	registry[n] = op
}

// Operations returns every registered operation sorted by name.
func Operations() []Operation {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Operation, 0, len(registry))
	for _, op := range registry {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Lookup returns the operation with that name.
func Lookup(name string) (Operation, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	op, ok := registry[name]
	return op, ok
}

func order(op Operation) int {
	if o, ok := op.(Ordered); ok {
		return o.Order()
	}
	return 0
}
