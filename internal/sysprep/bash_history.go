package sysprep

// Departure: a history that is a symlink (typically to /dev/null, to turn
// history off) is kept; virt-sysprep removes it and so re-enables history.
func init() {
	register(globOp{
		name:         "bash-history",
		summary:      "Remove the bash history in the guest",
		defaultOn:    true,
		rm:           []string{"/home/*/.bash_history", "/root/.bash_history"},
		keepSymlinks: true,
	})
}
