package customize

import (
	"context"
	"fmt"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// Target is the guest the steps edit.
type Target struct {
	Guest  *guest.Guest
	Root   fs.FS
	Logf   func(format string, args ...any)
	Warnf  func(format string, args ...any)
	Stdout func(line string) // e.g. a generated random password, printed once
}

// Apply runs the steps in virt-customize order: command-line order, except
// that passwords are applied last and SELinux relabel after everything.
func Apply(ctx context.Context, t Target, steps []Step) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("customize --%s: not implemented yet", s.Op)
	}
	return nil
}
