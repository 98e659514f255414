package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestMkdir(t *testing.T) {
	res := mustApply(t, debian12(), testtool.Tree{"opt/": "", "etc/f": "x"}, Step{"mkdir", "/opt/a/b/"}, Step{"mkdir", "/opt"})
	wantDiff(t, res.diff, `+ /opt/a d 0755 0:0`, `+ /opt/a/b d 0755 0:0`)
	_, err := apply(t, debian12(), testtool.Tree{"etc/f": "x"}, Step{"mkdir", "/etc/f"})
	wantErr(t, err, `customize --mkdir "/etc/f"`)
	if err := (Step{"mkdir", "relative"}).Validate(); err == nil {
		t.Error("relative path accepted")
	}
}
