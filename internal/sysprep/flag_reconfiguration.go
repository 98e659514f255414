package sysprep

import (
	"context"
	"fmt"
)

func init() { register(flagReconfiguration{}) }

// flagReconfiguration creates /.unconfigured, which makes old Red Hat
// guests run their first-boot configuration again.
type flagReconfiguration struct{}

func (flagReconfiguration) Name() string { return "flag-reconfiguration" }
func (flagReconfiguration) Summary() string {
	return "Flag the system for reconfiguration (touch /.unconfigured)"
}
func (flagReconfiguration) DefaultOn() bool { return false }

func (flagReconfiguration) Apply(_ context.Context, e *Env) error {
	const p = "/.unconfigured"
	if exists(e, p) {
		return nil // touch(1) would only update the times
	}
	if err := e.Root.WriteFile(p, nil, 0o644); err != nil {
		return fmt.Errorf("create %s: %w", p, err)
	}
	return nil
}
