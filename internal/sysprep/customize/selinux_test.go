package customize

import (
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestSELinuxRelabel(t *testing.T) {
	res := mustApply(t, rocky9(), testtool.Tree{"etc/selinux/config": "# c\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"},
		Step{"selinux-relabel", ""}, Step{"write", "/etc/motd:after relabel in the list, before it in time"})
	wantDiff(t, res.diff, `+ /.autorelabel f 0644 0:0 ""`, `+ /etc/motd f 0644 0:0 "after relabel in the list, before it in time"`)
	if i, j := indexOf(res.logs, "--write"), indexOf(res.logs, "--selinux-relabel"); i < 0 || j < i {
		t.Errorf("selinux-relabel did not run last: %q", res.logs)
	}

	res = mustApply(t, rocky9(), testtool.Tree{"etc/selinux/config": "SELINUX=disabled\n"}, Step{"selinux-relabel", ""})
	wantDiff(t, res.diff)
	res = mustApply(t, debian12(), testtool.Tree{"etc/": ""}, Step{"selinux-relabel", ""})
	wantDiff(t, res.diff)
	if !strings.Contains(strings.Join(res.logs, "\n"), "not an SELinux guest") {
		t.Errorf("no log line for the no-op: %q", res.logs)
	}
	if err := (Step{"selinux-relabel", "yes"}).Validate(); err == nil {
		t.Error("argument accepted")
	}
}

func indexOf(lines []string, frag string) int {
	for i, l := range lines {
		if strings.Contains(l, frag) {
			return i
		}
	}
	return -1
}
