package image

import (
	"slices"
	"sort"
)

// rangeSet is a sorted list of disjoint, non-adjacent ranges.
type rangeSet []Range

// newRangeSet sorts and merges rs once, dropping empty ranges and clipping
// to [0, size).
func newRangeSet(rs []Range, size int64) rangeSet {
	s := make(rangeSet, 0, len(rs))
	for _, r := range rs {
		if r.Len <= 0 || r.Off >= size {
			continue
		}
		off, end := max(r.Off, 0), size
		if r.Off > size-r.Len { // no overflow: r.Off < size and r.Len > 0
			end = size
		} else {
			end = min(r.Off+r.Len, size)
		}
		if end > off {
			s = append(s, Range{Off: off, Len: end - off})
		}
	}
	slices.SortFunc(s, func(a, b Range) int {
		switch {
		case a.Off < b.Off:
			return -1
		case a.Off > b.Off:
			return 1
		}
		return 0
	})
	out := s[:0]
	for _, r := range s {
		if k := len(out) - 1; k >= 0 && r.Off <= out[k].End() {
			out[k].Len = max(out[k].End(), r.End()) - out[k].Off
			continue
		}
		out = append(out, r)
	}
	return out
}

// first returns the index of the first range ending after off.
func (s rangeSet) first(off int64) int {
	return sort.Search(len(s), func(i int) bool { return s[i].End() > off })
}

// covers reports whether [off, end) lies inside one range, and if so where
// that range ends.
func (s rangeSet) covers(off, end int64) (bool, int64) {
	i := s.first(off)
	if i < len(s) && s[i].Off <= off && s[i].End() >= end {
		return true, s[i].End()
	}
	return false, 0
}

// zero clears the bytes of buf (which holds [off, off+len(buf))) that lie
// inside the set.
func (s rangeSet) zero(buf []byte, off int64) {
	end := off + int64(len(buf))
	for i := s.first(off); i < len(s) && s[i].Off < end; i++ {
		a, b := max(s[i].Off, off), min(s[i].End(), end)
		clear(buf[a-off : b-off])
	}
}
