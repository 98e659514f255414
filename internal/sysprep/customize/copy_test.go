package customize

import (
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestCopyArchive(t *testing.T) {
	root := testtool.MemFS(t, testtool.Tree{"etc/skel/.bashrc": "rc", "etc/skel/bin/run": "#!", "etc/skel/link": "-> bin/run", "srv/": ""})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(root.Lchown("/etc/skel/bin/run", 3, 4))
	must(root.Chmod("/etc/skel/bin/run", fileMode(0o4750)))
	must(root.Lchown("/etc/skel/link", 5, 6))
	must(root.SetXattr("/etc/skel/.bashrc", "user.tag", []byte("v")))
	must(root.Link("/etc/skel/.bashrc", "/etc/skel/hard"))
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(root.Chtimes("/etc/skel/bin/run", mtime, mtime))
	before := testtool.FSSnapshot(t, root)
	must(Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{{"copy", "/etc/skel:/srv"}, {"copy", "/etc/skel/.bashrc:/srv/rc.copy"}}))
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)),
		`+ /srv/skel d 0755 0:0`,
		`+ /srv/skel/.bashrc f 0644 0:0 "rc" xattr{user.tag="v"}`,
		`+ /srv/skel/bin d 0755 0:0`,
		`+ /srv/skel/bin/run f 4750 3:4 "#!"`,
		`+ /srv/skel/hard f 0644 0:0 "rc" xattr{user.tag="v"}`,
		`+ /srv/skel/link l 0777 5:6 -> bin/run`,
		`+ /srv/rc.copy f 0644 0:0 "rc" xattr{user.tag="v"}`)
	a, _ := root.Lstat("/srv/skel/.bashrc")
	b, _ := root.Lstat("/srv/skel/hard")
	if a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("hard link not kept: inodes %d/%d nlink %d", a.Ino, b.Ino, a.Nlink)
	}
	if st, _ := root.Lstat("/srv/skel/bin/run"); !st.Mtime.Equal(mtime) {
		t.Errorf("mtime %v, want %v", st.Mtime, mtime)
	}
	_, err := apply(t, debian12(), testtool.Tree{"a/b/": ""}, Step{"copy", "/a:/a/b"})
	wantErr(t, err, "into itself")
}
