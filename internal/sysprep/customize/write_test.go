package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestWrite(t *testing.T) {
	root := testtool.MemFS(t, testtool.Tree{"etc/motd": "old\n", "etc/issue": "-> motd"})
	if err := root.Chmod("/etc/motd", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := root.Lchown("/etc/motd", 5, 6); err != nil {
		t.Fatal(err)
	}
	before := testtool.FSSnapshot(t, root)
	err := Apply(t.Context(), Target{Guest: rocky9(), Root: root}, []Step{
		{"write", "/etc/new.conf:a=b:c\nno newline added"},
		{"write", "/etc/issue:via the symlink"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)),
		`+ /etc/new.conf f 0644 0:0 "a=b:c\nno newline added"`,
		`~ /etc/motd f 0600 5:6 "via the symlink"`, // mode and owner kept
	)
}

func TestWriteErrors(t *testing.T) {
	_, err := apply(t, debian12(), testtool.Tree{"etc/": ""}, Step{"write", "/opt/app/x.conf:1"})
	wantErr(t, err, `customize --write "/opt/app/x.conf:1"`, "parent directory /opt/app does not exist")
	for _, bad := range []string{"", "/etc/x", "etc/x:1", ":1"} {
		if err := (Step{"write", bad}).Validate(); err == nil {
			t.Errorf("write %q accepted", bad)
		}
	}
	if err := (Step{"write", "/etc/empty:"}).Validate(); err != nil {
		t.Errorf("empty content refused: %v", err)
	}
}
