package sysprep

import "sort"

// Report says what a run did, operation by operation, in run order.
type Report struct {
	Operations []OpReport `json:"operations"`
}

// OpReport lists the guest paths one operation removed, changed and created.
type OpReport struct {
	Name    string   `json:"name"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
	Created []string `json:"created"`
	// Notes are user-facing remarks (e.g. "machine-id left empty").
	Notes   []string `json:"notes,omitempty"`
	Seconds float64  `json:"seconds"`
}

// Counts returns how many paths were removed, changed and created.
func (r OpReport) Counts() (removed, changed, created int) {
	return len(r.Removed), len(r.Changed), len(r.Created)
}

// change tracks one path's fate within one operation.
type change int

const (
	changed change = iota + 1
	created
	removed
)

// tracker accumulates path changes for the operation being run.
type tracker struct {
	paths map[string]change
}

func (t *tracker) note(p string, c change) {
	if t.paths == nil {
		t.paths = map[string]change{}
	}
	prev, seen := t.paths[p]
	switch {
	case !seen:
		t.paths[p] = c
	case prev == created && c == removed:
		delete(t.paths, p) // made and unmade: no trace
	case prev == created:
		// still "created"
	case prev == removed && c == created:
		t.paths[p] = changed
	case prev == removed && c == changed:
		t.paths[p] = changed
	case c == removed:
		t.paths[p] = removed
	}
}

func (t *tracker) flush(r *OpReport) {
	r.Removed, r.Changed, r.Created = []string{}, []string{}, []string{}
	for p, c := range t.paths {
		switch c {
		case removed:
			r.Removed = append(r.Removed, p)
		case changed:
			r.Changed = append(r.Changed, p)
		case created:
			r.Created = append(r.Created, p)
		}
	}
	sort.Strings(r.Removed)
	sort.Strings(r.Changed)
	sort.Strings(r.Created)
	t.paths = nil
}
