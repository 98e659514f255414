package sysprep

import (
	"slices"
	"strings"
	"testing"
)

func TestResolveOperations(t *testing.T) {
	defaults, err := ResolveOperations(nil)
	if err != nil || !slices.Contains(defaults, "customize") {
		t.Fatalf("defaults = %v, %v; want customize among them", defaults, err)
	}
	got, err := ResolveOperations([]string{"-customize"})
	if err != nil || len(got) != 0 {
		t.Fatalf("-customize alone = %v, %v; want the empty set (virt-sysprep semantics)", got, err)
	}
	got, err = ResolveOperations([]string{"defaults,-customize", "customize"})
	if err != nil || !slices.Equal(got, defaults) {
		t.Fatalf("defaults,-customize + customize = %v, %v; want %v", got, err, defaults)
	}
	_, err = ResolveOperations([]string{"custmize"})
	if err == nil || !strings.Contains(err.Error(), `did you mean "customize"`) {
		t.Fatalf("typo: err = %v; want a suggestion", err)
	}
}

func TestTrackerFolding(t *testing.T) {
	var tr tracker
	tr.note("/a", created)
	tr.note("/a", removed) // made and unmade
	tr.note("/b", removed)
	tr.note("/b", created) // replaced
	tr.note("/c", changed)
	tr.note("/c", removed)
	var r OpReport
	tr.flush(&r)
	if !slices.Equal(r.Removed, []string{"/c"}) || !slices.Equal(r.Changed, []string{"/b"}) || len(r.Created) != 0 {
		t.Fatalf("got removed=%v changed=%v created=%v", r.Removed, r.Changed, r.Created)
	}
}
