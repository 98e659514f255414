package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestScrub(t *testing.T) {
	root := testtool.MemFS(t, testtool.Tree{"root/secret": "top secret", "root/also": "x"})
	if err := root.Link("/root/secret", "/root/hardlink"); err != nil {
		t.Fatal(err)
	}
	before := testtool.FSSnapshot(t, root)
	if err := Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{{"scrub", "/root/secret"}}); err != nil {
		t.Fatal(err)
	}
	// The other name of the inode shows the zeros: the bytes were overwritten.
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)),
		"- /root/secret", `~ /root/hardlink f 0644 0:0 "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"`)

	_, err := apply(t, debian12(), testtool.Tree{"root/d/": ""}, Step{"scrub", "/root/d"})
	wantErr(t, err, "not a regular file")
	_, err = apply(t, debian12(), testtool.Tree{"root/": ""}, Step{"scrub", "/root/none"})
	wantErr(t, err, "does not exist")
}
