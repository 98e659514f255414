package sysprep

// As in the newest virt-sysprep (absent from 1.48.2). Departure: a history
// that is a symlink (e.g. to /dev/null) is kept.
func init() {
	register(globOp{
		name:         "zsh-history",
		summary:      "Remove the zsh history in the guest",
		defaultOn:    true,
		rm:           []string{"/home/*/.zsh_history", "/root/.zsh_history"},
		keepSymlinks: true,
	})
}
