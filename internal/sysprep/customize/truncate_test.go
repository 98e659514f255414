package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestTruncate(t *testing.T) {
	tr := testtool.Tree{"etc/machine-id": "abc\n", "var/log/app/a": "aaa", "var/log/app/sub/b": "b", "var/log/app/l": "-> /etc/keep", "etc/keep": "k"}
	res := mustApply(t, debian12(), tr, Step{"truncate", "/etc/machine-id"}, Step{"truncate-recursive", "/var/log/app"})
	wantDiff(t, res.diff,
		`~ /etc/machine-id f 0644 0:0 ""`, `~ /var/log/app/a f 0644 0:0 ""`, `~ /var/log/app/sub/b f 0644 0:0 ""`)
	_, err := apply(t, debian12(), tr, Step{"truncate", "/etc/none"})
	wantErr(t, err, `customize --truncate "/etc/none"`, "does not exist")
	_, err = apply(t, debian12(), tr, Step{"truncate-recursive", "/var/none"})
	wantErr(t, err, "does not exist")
}
