package testtool

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// SHA256File returns the hex SHA-256 of a file (to prove an input unchanged).
func SHA256File(t testing.TB, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ExtractRange copies bytes [off, off+size) of a raw disk into a sparse file
// of its own in t.TempDir() and returns its path: the filesystem checkers
// and debugfs take a file, not an offset.
func ExtractRange(t testing.TB, raw string, off, size int64) string {
	t.Helper()
	in, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(t.TempDir(), "extract.img")
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	buf := make([]byte, 1<<20)
	zero := make([]byte, len(buf))
	for done := int64(0); done < size; {
		n := min(int64(len(buf)), size-done)
		if _, err := in.ReadAt(buf[:n], off+done); err != nil {
			t.Fatalf("extract [%d,+%d) of %s: %v", off, size, raw, err)
		}
		if !bytes.Equal(buf[:n], zero[:n]) {
			if _, err := out.WriteAt(buf[:n], done); err != nil {
				t.Fatal(err)
			}
		}
		done += n
	}
	if err := out.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return dst
}

// FindInFile returns which of the needles occur anywhere in the file's
// bytes, including across read-chunk boundaries (for "no deleted byte
// survives" checks on whole output images).
func FindInFile(t testing.TB, p string, needles ...string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	maxLen := 0
	for _, n := range needles {
		maxLen = max(maxLen, len(n))
	}
	found := map[string]bool{}
	buf := make([]byte, 4<<20+maxLen)
	carry := 0
	for {
		n, err := io.ReadFull(f, buf[carry:])
		chunk := buf[:carry+n]
		for _, nd := range needles {
			if !found[nd] && bytes.Contains(chunk, []byte(nd)) {
				found[nd] = true
			}
		}
		if err != nil {
			break
		}
		carry = min(maxLen, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
	}
	var out []string
	for _, nd := range needles {
		if found[nd] {
			out = append(out, nd)
		}
	}
	return out
}
