package sysprep

import (
	"fmt"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/suggest"
)

// ResolveOperations turns --operations arguments into the sorted list of
// operation names to run, with virt-sysprep's semantics: no argument at all
// means "defaults"; otherwise the set starts EMPTY and each comma-separated
// item adds or (with a leading '-') removes an operation name, "defaults"
// or "all", left to right across all arguments.
func ResolveOperations(specs []string) ([]string, error) {
	if len(specs) == 0 {
		specs = []string{"defaults"}
	}
	set := map[string]bool{}
	var bad []string
	for _, spec := range specs {
		for _, item := range strings.Split(spec, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			remove := strings.HasPrefix(item, "-")
			name := strings.TrimPrefix(item, "-")
			var names []string
			switch name {
			case "defaults":
				for _, op := range Operations() {
					if op.DefaultOn() {
						names = append(names, op.Name())
					}
				}
			case "all":
				for _, op := range Operations() {
					names = append(names, op.Name())
				}
			default:
				if _, ok := Lookup(name); !ok {
					bad = append(bad, unknownOperation(name))
					continue
				}
				names = []string{name}
			}
			for _, n := range names {
				if remove {
					delete(set, n)
				} else {
					set[n] = true
				}
			}
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s (see --list-operations)", strings.Join(bad, "; "))
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func unknownOperation(name string) string {
	if s := Suggest(name); s != "" {
		return fmt.Sprintf("unknown operation %q (did you mean %q?)", name, s)
	}
	return fmt.Sprintf("unknown operation %q", name)
}

// Suggest returns the registered operation name (or selection word) nearest
// to name, or "" when nothing is close.
func Suggest(name string) string {
	cands := []string{"defaults", "all"}
	for _, op := range Operations() {
		cands = append(cands, op.Name())
	}
	return suggest.Nearest(name, cands)
}
