package customize

import (
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestTouch(t *testing.T) {
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	pinned := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	now = func() time.Time { return pinned }
	defer func() { now = time.Now }()
	root := testtool.MemFS(t, testtool.Tree{"etc/old": "keep", "etc/": ""})
	if err := root.Chtimes("/etc/old", old, old); err != nil {
		t.Fatal(err)
	}
	before := testtool.FSSnapshot(t, root)
	if err := Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{{"touch", "/etc/old"}, {"touch", "/etc/new"}}); err != nil {
		t.Fatal(err)
	}
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)), `+ /etc/new f 0644 0:0 ""`)
	if st, _ := root.Lstat("/etc/old"); !st.Mtime.Equal(pinned) {
		t.Fatalf("mtime = %v, want %v", st.Mtime, pinned)
	}
}
