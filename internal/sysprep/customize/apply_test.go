package customize

import (
	"context"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestApplyValidatesEverythingFirst(t *testing.T) {
	res, err := apply(t, debian12(), testtool.Tree{"etc/": ""},
		Step{"write", "/etc/a:1"}, Step{"chmod", "99x:/etc/x"}, Step{"frobnicate", "x"}, Step{"--write", "/etc/b:2"})
	wantErr(t, err, `customize --chmod "99x:/etc/x": bad mode "99x"`, "unknown option --frobnicate", `without dashes: "write"`)
	wantDiff(t, res.diff)
}

func TestApplyPasswordsLast(t *testing.T) {
	// The password step comes before the add-user that creates the user:
	// it still works because passwords are applied last.
	res := mustApply(t, debian12(), accountTree(), Step{"password", "bob:disabled"}, Step{"add-user", "bob"})
	if got := read(t, res.root, "/etc/shadow"); !strings.Contains(got, "\nbob:*:") {
		t.Fatalf("shadow:\n%s", got)
	}
}

func TestApplyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := testtool.MemFS(t, testtool.Tree{"etc/": ""})
	if err := Apply(ctx, Target{Guest: debian12(), Root: root}, []Step{{"write", "/etc/a:1"}}); err == nil {
		t.Fatal("cancelled context ignored")
	}
	if ok, _ := (&run{root: root}).exists("/etc/a"); ok {
		t.Fatal("wrote after cancel")
	}
}

func TestOptionsAreDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, o := range Options() {
		if !strings.Contains(doc, "//\t"+o+" ") && !strings.Contains(doc, "//\t"+o+"\n") {
			t.Errorf("option %q missing from the package doc", o)
		}
	}
}
