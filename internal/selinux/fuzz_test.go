package selinux

import (
	iofs "io/fs"
	"testing"
)

// FuzzParseSpecs: any file_contexts text loads without panicking, and
// lookups on it never panic.
func FuzzParseSpecs(f *testing.F) {
	f.Add([]byte(fileContexts), "/etc/cloud/cloud.cfg.d/x.cfg")
	f.Add([]byte(homedirs), "/home/a/.ssh")
	f.Add([]byte("/a\\\t--\tx\n/(((\tx\n/x{2,1000}\ty\n"), "/a")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		specs, _ := parseSpecs("fuzz", data)
		p := &Policy{specs: order([][]spec{specs}, []bool{true}), subs: parseSubs(data)}
		for _, m := range []iofs.FileMode{0, iofs.ModeDir, iofs.ModeSymlink} {
			p.Label(name, m)
		}
	})
}
