package ext4

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// TestDirHashMatchesDebugfs checks every hash version against debugfs's dx_hash.
func TestDirHashMatchesDebugfs(t *testing.T) {
	img := testtool.MkfsExt4(t, testtool.Tree{"a": "b"}, "8M")
	seed := [4]uint32{0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00}
	seedUUID := "44332211-8877-6655-ccbb-aa9900ffeedd"
	names := []string{"a", "hostname", "machine-id", strings.Repeat("long-name-", 10), "été-ü", "0123456789abcdef0123456789abcdef0"}
	re := regexp.MustCompile(`Hash of .* is 0x([0-9a-f]+) \(minor 0x([0-9a-f]+)\)`)
	for _, v := range []struct {
		name string
		ver  uint8
		opt  string
	}{
		{"legacy", hashLegacy, ""}, {"half_md4", hashHalfMD4, ""}, {"tea", hashTea, ""},
		// debugfs's dx_hash hashes signed; the unsigned variants agree on
		// ASCII and are checked past it by e2fsck on directories we grow.
		{"legacy", hashLegacyUnsigned, "u"}, {"half_md4", hashHalfMD4Unsigned, "u"}, {"tea", hashTeaUnsigned, "u"},
	} {
		for _, n := range names {
			if v.opt == "u" && strings.ContainsFunc(n, func(r rune) bool { return r > 127 }) {
				continue // signed and unsigned differ only past ASCII
			}
			out := testtool.Debugfs(t, img, fmt.Sprintf("dx_hash -h %s -s %s %s", v.name, seedUUID, n))
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("unexpected debugfs output: %s", out)
			}
			major, minor, _ := dirHash([]byte(n), v.ver, seed)
			if got := fmt.Sprintf("%x/%x", major, minor); got != m[1]+"/"+m[2] {
				t.Errorf("%s(%d) %q: got %s, debugfs %s/%s", v.name, v.ver, n, got, m[1], m[2])
			}
		}
	}
}
