package sysprep

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

func init() { register(backupFiles{}) }

// backupFiles removes editor and tool backups ("*.bak", "*~") below the
// directories where they matter, never following symlinks.
type backupFiles struct{}

func (backupFiles) Name() string    { return "backup-files" }
func (backupFiles) Summary() string { return "Remove editor backup files from the guest" }
func (backupFiles) DefaultOn() bool { return true }

// backupRoots are walked; a root that is a symlink is skipped.
var backupRoots = []string{"/etc", "/root", "/srv", "/tmp", "/var"}

// isBackupName matches "*.bak" and "*~" the way virt-sysprep's fnmatch
// without FNM_PERIOD does: hidden files match too.
func isBackupName(name string) bool {
	return strings.HasSuffix(name, ".bak") || strings.HasSuffix(name, "~")
}

func (backupFiles) Apply(_ context.Context, e *Env) error {
	for _, root := range backupRoots {
		if !isDir(e, root) {
			continue
		}
		err := fs.WalkDir(e.Root, root, func(p string, st fs.Stat, err error) error {
			if err != nil {
				if errors.Is(err, iofs.ErrNotExist) {
					return nil
				}
				return fmt.Errorf("walk %s: %w", p, err)
			}
			if !st.IsRegular() || !isBackupName(path.Base(p)) {
				return nil
			}
			if err := e.Root.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("remove %s: %w", p, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
