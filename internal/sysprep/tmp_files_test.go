package sysprep

import "testing"

func TestTmpFiles(t *testing.T) {
	runCases(t, "tmp-files", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"tmp/build.sh":               "x",
			"tmp/.X11-unix/X0":           "socket stand-in",
			"tmp/systemd-private-1/tmp/": "",
			"var/tmp/cloud-init/x":       "y",
			"var/tmp/.hidden":            "z",
			"var/tmp/link":               "-> /etc/passwd",
		},
		removed: abs("tmp/build.sh", "tmp/.X11-unix/X0", "tmp/.X11-unix", "tmp/systemd-private-1/tmp", "tmp/systemd-private-1",
			"var/tmp/cloud-init/x", "var/tmp/cloud-init", "var/tmp/.hidden", "var/tmp/link"),
		// the symlink went, never its target
		files: map[string]string{"/etc/passwd": baseTree["etc/passwd"]},
	}})
}
