package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestLink(t *testing.T) {
	tr := testtool.Tree{"etc/alternatives/": "", "usr/bin/vim.basic": "vim", "usr/bin/vi": "old file", "opt/": ""}
	res := mustApply(t, debian12(), tr, Step{"link", "/usr/bin/vim.basic:/usr/bin/vi:/etc/alternatives/editor:/opt"})
	wantDiff(t, res.diff,
		`~ /usr/bin/vi l 0777 0:0 -> /usr/bin/vim.basic`,
		`+ /etc/alternatives/editor l 0777 0:0 -> /usr/bin/vim.basic`,
		`+ /opt/vim.basic l 0777 0:0 -> /usr/bin/vim.basic`) // LINK a directory: inside it
	res = mustApply(t, debian12(), testtool.Tree{"etc/": ""}, Step{"link", "../relative/target:/etc/r"})
	wantDiff(t, res.diff, `+ /etc/r l 0777 0:0 -> ../relative/target`)
	for _, bad := range []string{"/t", ":/l", "/t:l", "/t:/"} {
		if err := (Step{"link", bad}).Validate(); err == nil {
			t.Errorf("link %q accepted", bad)
		}
	}
}
