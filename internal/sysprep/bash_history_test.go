package sysprep

import "testing"

func TestBashHistory(t *testing.T) {
	runCases(t, "bash-history", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"home/alice/.bash_history": "sudo -i\n",
			"home/bob/.bash_history":   "-> /dev/null",
			"root/.bash_history":       "passwd\n",
			"srv/www/.bash_history":    "kept: not a home",
		},
		// Departure: bob's symlink to /dev/null is kept (history stays off).
		removed: abs("home/alice/.bash_history", "root/.bash_history"),
		files:   map[string]string{"/home/bob/.bash_history": "-> /dev/null"},
	}})
}
