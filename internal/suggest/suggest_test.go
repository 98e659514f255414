package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"custmize", "customize", 1}, {"same", "same", 0}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestNearest(t *testing.T) {
	ops := []string{"machine-id", "ssh-hostkeys", "logfiles", "customize"}
	if got := Nearest("machin-id", ops); got != "machine-id" {
		t.Errorf("Nearest(machin-id) = %q", got)
	}
	if got := Nearest("zzzzzzzzzz", ops); got != "" {
		t.Errorf("Nearest(zzzzzzzzzz) = %q, want no suggestion", got)
	}
}
