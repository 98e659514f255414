package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestDelete(t *testing.T) {
	tr := testtool.Tree{
		"var/log/a.log": "1", "var/log/b.log": "2", "var/log/.hidden.log": "3", "var/log/keep.txt": "4",
		"var/cache/app/x/y": "5", "var/cache/link": "-> /etc",
		"etc/passwd": "root",
	}
	res := mustApply(t, debian12(), tr,
		Step{"delete", "/var/log/*.log"}, Step{"delete", "/var/cache/app"}, Step{"delete", "/var/cache/link"}, Step{"delete", "/nothing/*"})
	wantDiff(t, res.diff, "- /var/log/a.log", "- /var/log/b.log", "- /var/cache/app", "- /var/cache/app/x", "- /var/cache/app/x/y", "- /var/cache/link")
	if read(t, res.root, "/etc/passwd") != "root" {
		t.Fatal("the symlink's target was followed")
	}
	if err := (Step{"delete", "/"}).Validate(); err == nil {
		t.Error("delete / accepted")
	}
	if err := (Step{"delete", "/var/[x/y"}).Validate(); err == nil {
		t.Error("bad glob accepted")
	}
}
