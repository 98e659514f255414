package image_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// rawDisk writes content to a raw file and opens it.
func rawDisk(t testing.TB, content []byte) *image.Disk {
	t.Helper()
	p := filepath.Join(t.TempDir(), "base.raw")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := image.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestOverlayModel writes random ranges through an overlay with a tiny
// memory limit (so most blocks spill) and checks every read against a
// byte-slice model, the base file left untouched, and ChangedRanges.
func TestOverlayModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const size = 1<<20 + 333
	orig := randomBytes(r, size)
	base := rawDisk(t, orig)
	o := image.NewOverlay(base, image.OverlayOptions{BlockSize: 4096, MemoryLimit: 64 << 10, TempDir: t.TempDir()})
	defer o.Close()
	model := bytes.Clone(orig)
	touched := make([]bool, (size+4095)/4096)
	for range 300 {
		off := r.IntN(size)
		n := r.IntN(min(size-off, 20000)) + 1
		if off+n > size {
			n = size - off
		}
		data := randomBytes(r, n)
		if _, err := o.WriteAt(data, int64(off)); err != nil {
			t.Fatal(err)
		}
		copy(model[off:], data)
		for b := off / 4096; b <= (off+n-1)/4096; b++ {
			touched[b] = true
		}
		roff := r.IntN(size)
		rn := r.IntN(size-roff) + 1
		got := make([]byte, rn)
		if _, err := o.ReadAt(got, int64(roff)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, model[roff:roff+rn]) {
			t.Fatalf("ReadAt(%d, +%d) differs from the model", roff, rn)
		}
	}
	all := make([]byte, size)
	if _, err := o.ReadAt(all, 0); err != nil || !bytes.Equal(all, model) {
		t.Fatalf("full read differs from the model (err %v)", err)
	}
	if _, err := base.ReadAt(all, 0); err != nil || !bytes.Equal(all, orig) {
		t.Fatalf("the base changed (err %v)", err)
	}
	var want []image.Range
	for b, ok := range touched {
		if !ok {
			continue
		}
		start, n := int64(b)*4096, min(int64(4096), size-int64(b)*4096)
		if k := len(want) - 1; k >= 0 && want[k].End() == start {
			want[k].Len += n
		} else {
			want = append(want, image.Range{Off: start, Len: n})
		}
	}
	got := o.ChangedRanges()
	if len(got) != len(want) {
		t.Fatalf("ChangedRanges: %d ranges, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("ChangedRanges[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	checkDataExtents(t, o, model)
}

func TestOverlayBounds(t *testing.T) {
	o := image.NewOverlay(rawDisk(t, make([]byte, 8192)), image.OverlayOptions{})
	if _, err := o.WriteAt([]byte{1, 2}, 8191); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("write past the end: %v", err)
	}
	if _, err := o.ReadAt(make([]byte, 1), 8192); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("read past the end: %v", err)
	}
	if _, err := o.ReadAt(make([]byte, 1), -1); !errors.Is(err, image.ErrOutOfRange) {
		t.Errorf("read at -1: %v", err)
	}
	o.Close()
	if _, err := o.ReadAt(make([]byte, 1), 0); err == nil {
		t.Errorf("read after Close succeeded")
	}
}

// TestOverlayConcurrent hammers one overlay from several goroutines, each
// owning interleaved stripes that share blocks with its neighbours; run it
// with -race.
func TestOverlayConcurrent(t *testing.T) {
	const size, workers, stripe = 1 << 20, 4, 1000
	o := image.NewOverlay(rawDisk(t, make([]byte, size)), image.OverlayOptions{MemoryLimit: 128 << 10, TempDir: t.TempDir()})
	defer o.Close()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			buf := bytes.Repeat([]byte{byte(w + 1)}, stripe)
			got := make([]byte, stripe)
			for off := w * stripe; off+stripe <= size; off += workers * stripe {
				if _, err := o.WriteAt(buf, int64(off)); err != nil {
					t.Error(err)
					return
				}
				if _, err := o.ReadAt(got, int64(off)); err != nil || !bytes.Equal(got, buf) {
					t.Errorf("worker %d: read back at %d differs (err %v)", w, off, err)
					return
				}
				o.ChangedRanges()
			}
		})
	}
	wg.Wait()
	all := make([]byte, size)
	if _, err := o.ReadAt(all, 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+stripe <= size-size%(workers*stripe); i++ {
		if want := byte((i/stripe)%workers + 1); all[i] != want {
			t.Fatalf("byte %d = %d, want %d", i, all[i], want)
		}
	}
}
