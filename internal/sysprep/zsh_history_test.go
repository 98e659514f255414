package sysprep

import "testing"

func TestZshHistory(t *testing.T) {
	runCases(t, "zsh-history", []opCase{{
		name:  "arch",
		guest: archGuest(),
		tree: map[string]string{
			"home/alice/.zsh_history": ": 1700000000:0;ls\n",
			"root/.zsh_history":       "x",
			"home/bob/.zsh_history":   "-> /dev/null",
		},
		removed: abs("home/alice/.zsh_history", "root/.zsh_history"),
	}})
}
