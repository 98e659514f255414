package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestChown(t *testing.T) {
	tr := testtool.Tree{"srv/data/": "", "srv/link": "-> data"}
	res := mustApply(t, debian12(), tr, Step{"chown", "1000:1001:/srv/data"}, Step{"chown", "7:8:/srv/link"})
	wantDiff(t, res.diff, `~ /srv/data d 0755 7:8`) // the symlink is followed, as chown(2)
	for _, bad := range []string{"root:0:/x", "0:0", "0:0:x", "4294967295:0:/x", "-1:0:/x"} {
		if err := (Step{"chown", bad}).Validate(); err == nil {
			t.Errorf("chown %q accepted", bad)
		}
	}
}
