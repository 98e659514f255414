package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestChmod(t *testing.T) {
	tr := testtool.Tree{"usr/bin/tool": "x", "tmp/": "", "etc/link": "-> /usr/bin/tool", "etc/dec": "d"}
	res := mustApply(t, rocky9(), tr,
		Step{"chmod", "04755:/usr/bin/tool"}, Step{"chmod", "01777:/tmp"}, Step{"chmod", "0600:/etc/link"},
		Step{"chmod", "420:/etc/dec"}) // decimal 420 = 0644... stays 0644
	wantDiff(t, res.diff, `~ /tmp d 1777 0:0`, `~ /usr/bin/tool f 0600 0:0 "x"`)
	res = mustApply(t, rocky9(), tr, Step{"chmod", "700:/etc/dec"}) // decimal 700 = 01274
	wantDiff(t, res.diff, `~ /etc/dec f 1274 0:0 "d"`)
}

func TestChmodValidate(t *testing.T) {
	err := Step{"chmod", "99x:/etc/x"}.Validate()
	if err == nil || err.Error() != `customize --chmod "99x:/etc/x": bad mode "99x" (octal with a leading 0, e.g. 0644; without it the number is decimal)` {
		t.Fatalf("err = %v", err)
	}
	for _, bad := range []string{"0999:/x", "010000:/x", "4096:/x", "-1:/x", "+7:/x", "0644", "0644:x", ":/x"} {
		if err := (Step{"chmod", bad}).Validate(); err == nil {
			t.Errorf("chmod %q accepted", bad)
		}
	}
}
