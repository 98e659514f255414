package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestMove(t *testing.T) {
	tr := testtool.Tree{"opt/app/bin/x": "x", "srv/": "", "etc/a.conf": "a"}
	res := mustApply(t, debian12(), tr, Step{"move", "/opt/app:/srv"}, Step{"move", "/etc/a.conf:/etc/b.conf"})
	wantDiff(t, res.diff,
		"- /opt/app", "- /opt/app/bin", "- /opt/app/bin/x",
		"+ /srv/app d 0755 0:0", "+ /srv/app/bin d 0755 0:0", `+ /srv/app/bin/x f 0644 0:0 "x"`,
		"- /etc/a.conf", `+ /etc/b.conf f 0644 0:0 "a"`)
	_, err := apply(t, debian12(), tr, Step{"move", "/opt/app:/opt/app/bin"})
	wantErr(t, err, "into itself")
	_, err = apply(t, debian12(), tr, Step{"move", "/opt/none:/srv"})
	wantErr(t, err, "/opt/none does not exist")
}
