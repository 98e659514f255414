package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// BenchmarkJobDemo runs the whole default job on the demo image (the
// generator's 2 GiB GPT qcow2 Debian guest), output qcow2 uncompressed.
func BenchmarkJobDemo(b *testing.B) {
	d := buildGuest(b, guestgen.Options{Table: "gpt", Format: "qcow2"})
	dir := b.TempDir()
	out := filepath.Join(dir, "out.qcow2")
	b.SetBytes(d.Size)
	b.ResetTimer()
	for range b.N {
		if _, err := Run(context.Background(), Job{Input: d.Path, Output: out}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(out)
		b.StartTimer()
	}
}
