package testtool

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFindInFileAcrossChunks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	b := make([]byte, 9<<20)
	copy(b[4<<20-3:], "SECRET") // straddles the first 4 MiB chunk boundary
	copy(b[9<<20-5:], "TAIL!")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got := FindInFile(t, p, "SECRET", "TAIL!", "absent")
	if !slices.Equal(got, []string{"SECRET", "TAIL!"}) {
		t.Fatalf("FindInFile = %v", got)
	}
}

func TestExtractRange(t *testing.T) {
	p := filepath.Join(t.TempDir(), "disk")
	if err := os.WriteFile(p, []byte(strings.Repeat("a", 100)+"HELLO"+strings.Repeat("b", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(ExtractRange(t, p, 100, 5))
	if err != nil || string(got) != "HELLO" {
		t.Fatalf("ExtractRange = %q, %v", got, err)
	}
	abc := filepath.Join(t.TempDir(), "abc")
	if err := os.WriteFile(abc, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := SHA256File(t, abc); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("SHA256File(abc) = %s", got)
	}
}
