package sysprep

import (
	"fmt"
	"sort"
	"strings"
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
	best, bestD := "", len(name)/2+2
	for _, c := range cands {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
