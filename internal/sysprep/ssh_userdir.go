package sysprep

func init() {
	register(globOp{
		name:      "ssh-userdir",
		summary:   `Remove ".ssh" directories in the guest`,
		defaultOn: true,
		rmrf:      []string{"/home/*/.ssh", "/root/.ssh"},
	})
}
