package customize

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestCopyIn(t *testing.T) {
	host := filepath.Join(t.TempDir(), "payload")
	testtool.Tree{"conf/a.yaml": "a: 1", "bin/tool": "#!", "latest": "-> conf/a.yaml"}.WriteDir(t, host)
	if err := os.Chmod(filepath.Join(host, "bin/tool"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(host, "conf"), 0o700); err != nil {
		t.Fatal(err)
	}
	res := mustApply(t, rocky9(), testtool.Tree{"opt/": ""}, Step{"copy-in", host + ":/opt"})
	wantDiff(t, res.diff,
		`+ /opt/payload d 0755 0:0`,
		`+ /opt/payload/bin d 0755 0:0`,
		`+ /opt/payload/bin/tool f 0750 0:0 "#!"`,
		`+ /opt/payload/conf d 0700 0:0`,
		`+ /opt/payload/conf/a.yaml f 0644 0:0 "a: 1"`,
		`+ /opt/payload/latest l 0777 0:0 -> conf/a.yaml`)
	_, err := apply(t, rocky9(), testtool.Tree{"opt/": ""}, Step{"copy-in", host + ":/srv"})
	wantErr(t, err, "remote directory /srv does not exist")
}
