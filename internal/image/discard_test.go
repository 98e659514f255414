package image

import (
	"bytes"
	"testing"
)

func TestRangeSet(t *testing.T) {
	s := newRangeSet([]Range{
		{Off: 50, Len: 10}, {Off: 0, Len: 5}, {Off: 55, Len: 10}, {Off: 65, Len: 5},
		{Off: -10, Len: 12}, {Off: 90, Len: 1 << 62}, {Off: 1 << 62, Len: 1 << 62}, {Off: 30, Len: 0}, {Off: 30, Len: -4},
	}, 100)
	want := rangeSet{{Off: 0, Len: 5}, {Off: 50, Len: 20}, {Off: 90, Len: 10}}
	if len(s) != len(want) {
		t.Fatalf("got %v, want %v", s, want)
	}
	for i := range s {
		if s[i] != want[i] {
			t.Fatalf("got %v, want %v", s, want)
		}
	}
	if ok, end := s.covers(52, 68); !ok || end != 70 {
		t.Errorf("covers(52, 68) = %v, %d", ok, end)
	}
	if ok, _ := s.covers(45, 55); ok {
		t.Errorf("covers(45, 55) = true")
	}
	buf := bytes.Repeat([]byte{1}, 20)
	s.zero(buf, 45) // [45, 65): 50..64 cleared
	if !bytes.Equal(buf, append(bytes.Repeat([]byte{1}, 5), make([]byte, 15)...)) {
		t.Errorf("zero: %v", buf)
	}
}
