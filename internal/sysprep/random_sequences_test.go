package sysprep

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestRandomOperationSets runs random sets of operations on a tree that
// holds every parity fixture at once, for each family, and checks the
// invariants every run must keep: the report names exactly the paths that
// differ, nothing outside the guest's known paths appears from nowhere, and
// a second run changes and reports nothing.
func TestRandomOperationSets(t *testing.T) {
	kitchen := testtool.Tree{}
	maps.Copy(kitchen, baseTree)
	for _, r := range parityRows {
		maps.Copy(kitchen, r.c.tree)
	}
	var names []string
	for _, op := range Operations() {
		if !isCloudInitOp(op.Name()) && op.Name() != "user-account" {
			names = append(names, op.Name())
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	guests := []*guest.Guest{debianGuest(), ubuntuGuest(), rockyGuest(), centos7Guest(), fedoraGuest(), suseGuest(), archGuest()}
	for i := range 60 {
		g := guests[i%len(guests)]
		var ops []string
		for _, n := range names {
			if rng.IntN(3) == 0 {
				ops = append(ops, n)
			}
		}
		f := testtool.MemFS(t, kitchen)
		before := snapshot(t, f)
		plan := &Plan{Operations: ops}
		if rng.IntN(2) == 0 {
			plan.MachineID = MachineIDUninitialized
		}
		rep, err := Run(context.Background(), g, f, plan, RunOptions{})
		if err != nil {
			t.Fatalf("%s %v: %v", g.Distro, ops, err)
		}
		after := snapshot(t, f)
		r, c, n := treeDiff(before, after)
		diff := append(append(r, c...), n...)
		sort.Strings(diff)
		var reported []string
		for _, o := range rep.Operations {
			reported = append(reported, o.Removed...)
			reported = append(reported, o.Changed...)
			reported = append(reported, o.Created...)
		}
		sort.Strings(reported)
		reported = slices.Compact(reported)
		if !slices.Equal(diff, reported) {
			t.Errorf("%s %v:\n tree diff %q\n reported  %q", g.Distro, ops, diff, reported)
		}
		rep2, err := Run(context.Background(), g, f, plan, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(snapshot(t, f), after) {
			t.Errorf("%s %v: second run changed the tree", g.Distro, ops)
		}
		for _, o := range rep2.Operations {
			if a, b, c := o.Counts(); a+b+c != 0 {
				t.Errorf("%s %v: second run of %s reported %v %v %v", g.Distro, ops, o.Name, o.Removed, o.Changed, o.Created)
			}
		}
	}
}
