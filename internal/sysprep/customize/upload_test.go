package customize

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestUpload(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "app.sh")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho hi\n"), 0o751); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(src, os.ModeSetuid|0o751); err != nil { // umask-proof; setuid dropped by & 0777
		t.Fatal(err)
	}
	res := mustApply(t, debian12(), testtool.Tree{"usr/local/bin/": "", "etc/app.conf": "old"},
		Step{"upload", src + ":/usr/local/bin"},         // into a directory: DEST/basename
		Step{"upload", src + ":/etc/app.conf"},          // over an existing file
		Step{"upload", src + ":/usr/local/bin/renamed"}, // new name
	)
	wantDiff(t, res.diff,
		`+ /usr/local/bin/app.sh f 0751 0:0 "#!/bin/sh\necho hi\n"`,
		`~ /etc/app.conf f 0751 0:0 "#!/bin/sh\necho hi\n"`,
		`+ /usr/local/bin/renamed f 0751 0:0 "#!/bin/sh\necho hi\n"`)
	_, err := apply(t, debian12(), testtool.Tree{"etc/": ""}, Step{"upload", filepath.Join(dir, "nope") + ":/etc/x"})
	wantErr(t, err, "nope")
	_, err = apply(t, debian12(), testtool.Tree{"etc/": ""}, Step{"upload", dir + ":/etc/x"})
	wantErr(t, err, "not a regular file")
}
