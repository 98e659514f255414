package sysprep

import "context"

func init() { register(tmpFiles{}) }

// tmpFiles empties /tmp and /var/tmp, dotfiles included, and keeps the
// directories themselves. A /tmp or /var/tmp that is itself a symlink is
// not followed (virt-sysprep's glob would empty its target).
type tmpFiles struct{}

func (tmpFiles) Name() string    { return "tmp-files" }
func (tmpFiles) Summary() string { return "Remove temporary files" }
func (tmpFiles) DefaultOn() bool { return true }

func (tmpFiles) Apply(_ context.Context, e *Env) error {
	for _, dir := range []string{"/tmp", "/var/tmp"} {
		if err := emptyDir(e, dir); err != nil {
			return err
		}
	}
	return nil
}
