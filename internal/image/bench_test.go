package image_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// benchInput writes a sparse raw image of size bytes with data bytes of
// random content (incompressible) and a quarter of that of text-like
// content (compressible) in scattered 64 KiB clusters.
func benchInput(b *testing.B, size, data int64) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "in.raw")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 64<<10)
	n := size / int64(len(buf))
	for i := int64(0); i < data/int64(len(buf)); i++ {
		if i%4 == 0 {
			for k := range buf {
				buf[k] = "the quick brown fox "[k%20]
			}
		} else {
			for k := range buf {
				buf[k] = byte(r.Uint32())
			}
		}
		if _, err := f.WriteAt(buf, r.Int64N(n)*int64(len(buf))); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

// BenchmarkExport exports a 1 GiB disk holding 64 MiB of data through an
// overlay with discards, in each output flavour.
func BenchmarkExport(b *testing.B) {
	in := benchInput(b, 1<<30, 64<<20)
	d, err := image.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ov := image.NewOverlay(d, image.OverlayOptions{})
	defer ov.Close()
	ov.WriteAt(make([]byte, 1<<20), 5<<20)
	discard := []image.Range{{Off: 100 << 20, Len: 50 << 20}, {Off: 700 << 20, Len: 50 << 20}}
	for _, c := range []struct {
		name string
		o    image.ExportOptions
	}{
		{"qcow2", image.ExportOptions{}},
		{"qcow2-zlib", image.ExportOptions{Compression: "zlib"}},
		{"qcow2-zstd", image.ExportOptions{Compression: "zstd"}},
		{"raw", image.ExportOptions{Format: image.FormatRaw}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.o.Discard = discard
			out := filepath.Join(b.TempDir(), "out")
			b.SetBytes(64 << 20)
			for b.Loop() {
				if _, err := image.Export(context.Background(), ov, out, c.o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenRead reads a whole 256 MiB qcow2 made by our exporter.
func BenchmarkOpenRead(b *testing.B) {
	in := benchInput(b, 256<<20, 64<<20)
	d, err := image.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	q := filepath.Join(b.TempDir(), "in.qcow2")
	if _, err := image.Export(context.Background(), d, q, image.ExportOptions{}); err != nil {
		b.Fatal(err)
	}
	d.Close()
	buf := make([]byte, 1<<20)
	b.SetBytes(256 << 20)
	for b.Loop() {
		d, err := image.Open(q)
		if err != nil {
			b.Fatal(err)
		}
		for off := int64(0); off < d.Size(); off += int64(len(buf)) {
			if _, err := d.ReadAt(buf, off); err != nil {
				b.Fatal(err)
			}
		}
		d.Close()
	}
}
