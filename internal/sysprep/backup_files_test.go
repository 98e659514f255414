package sysprep

import "testing"

func TestBackupFiles(t *testing.T) {
	runCases(t, "backup-files", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"etc/ssh/sshd_config.bak":  "old",
			"etc/fstab~":               "old",
			"etc/.hidden.bak":          "hidden files match too",
			"root/notes.txt~":          "x",
			"srv/app/deep/a/b/c.bak":   "x",
			"tmp/x.bak":                "x",
			"var/lib/x.bak":            "x",
			"var/lib/dir.bak/":         "",
			"var/lib/dir.bak/inside":   "kept: a directory named *.bak is not a file",
			"etc/link.bak":             "-> /etc/passwd",
			"usr/share/doc/readme.bak": "kept: /usr is not walked",
			"home/alice/draft.bak":     "kept: /home is not walked",
			"etc/bakfile":              "kept",
		},
		removed: abs("etc/ssh/sshd_config.bak", "etc/fstab~", "etc/.hidden.bak", "root/notes.txt~",
			"srv/app/deep/a/b/c.bak", "tmp/x.bak", "var/lib/x.bak"),
	}, {
		name:  "symlinked root is skipped",
		guest: rockyGuest(),
		tree: map[string]string{
			"srv":          "-> /data",
			"data/old.bak": "kept: reached only through the symlink",
		},
	}})
}
