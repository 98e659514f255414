package image_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// fuzzSeedImages makes small qcow2 files (512-byte clusters keep them at
// a few KiB; the fuzzer is slow with large inputs).
func fuzzSeedImages(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, c := range []struct{ opts, convert string }{
		{"cluster_size=512", ""},
		{"cluster_size=512,compat=0.10", ""},
		{"cluster_size=512", "compression_type=zlib,cluster_size=512"},
		{"cluster_size=512", "compression_type=zstd,cluster_size=512"},
	} {
		img := testtool.QemuCreate(f, "seed.qcow2", "qcow2", "40k", c.opts)
		testtool.QemuIO(f, img, "qcow2", "write -P 0x61 0 3k", "write -z 8k 1k", "write -P 0x62 33000 2000")
		if c.convert != "" {
			out := filepath.Join(f.TempDir(), "c.qcow2")
			testtool.QemuConvert(f, img, out, "qcow2", "-c", "-o", c.convert)
			img = out
		}
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// fuzzOpenBytes writes data to a file, opens it and reads what Open
// accepts: no panic, no hang, no unbounded allocation.
func fuzzOpenBytes(t *testing.T, data []byte) {
	p := filepath.Join(t.TempDir(), "fuzz.img")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := image.Open(p)
	if err != nil {
		return
	}
	defer d.Close()
	buf := make([]byte, 4096+7)
	for off := int64(0); off < min(d.Size(), 1<<20); off += int64(len(buf)) {
		n := min(int64(len(buf)), d.Size()-off)
		if _, err := d.ReadAt(buf[:n], off); err != nil {
			break
		}
	}
	for off, i := int64(0), 0; off < d.Size() && i < 1000; i++ {
		_, n, err := d.DataExtent(off)
		if err != nil {
			break
		}
		if n <= 0 {
			t.Fatalf("DataExtent(%d) returned %d bytes", off, n)
		}
		off += n
	}
}

// FuzzExtendedL2 fuzzes our extended-L2 reader: the first 4 KiB of the L2
// table of a qemu-made extended-L2 image (compressed and plain clusters)
// are replaced by the input.
func FuzzExtendedL2(f *testing.F) {
	img := testtool.QemuCreate(f, "seed.qcow2", "qcow2", "1M", "cluster_size=16k,extended_l2=on")
	testtool.QemuIO(f, img, "qcow2", "write -P 0x61 0 3k", "write -z 8k 1k", "write -P 0x62 33000 2000", "write -P 0x63 100k 40k")
	comp := filepath.Join(f.TempDir(), "c.qcow2")
	testtool.QemuConvert(f, img, comp, "qcow2", "-c", "-o", "cluster_size=16k,extended_l2=on,compression_type=zstd")
	var bases [][]byte
	var l2s []int64
	for _, p := range []string{img, comp} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		l1 := binary.BigEndian.Uint64(b[0x28:])
		l2 := int64(binary.BigEndian.Uint64(b[l1:]) & 0x00fffffffffffe00)
		bases, l2s = append(bases, b), append(l2s, l2)
		f.Add(byte(len(bases)-1), b[l2:l2+4096])
	}
	f.Fuzz(func(t *testing.T, which byte, table []byte) {
		i := int(which) % len(bases)
		b := bytes.Clone(bases[i])
		copy(b[l2s[i]:l2s[i]+4096], table)
		fuzzOpenBytes(t, b)
	})
}

// FuzzOpen feeds random and mutated images to Open and reads what it
// accepts: no panic, no hang, no unbounded allocation.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeedImages(f) {
		f.Add(s)
	}
	f.Add([]byte("KDMV\x01\x00\x00\x00"))
	f.Add([]byte("QFI\xfb\x00\x00\x00\x01"))
	f.Add([]byte("LUKS\xba\xbe\x00\x02"))
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		fuzzOpenBytes(t, data)
	})
}

// FuzzOverlayExport decodes data into overlay writes, discards and export
// options, exports, reopens the result and compares it with a model.
func FuzzOverlayExport(f *testing.F) {
	f.Add([]byte{0, 3, 1, 10, 0, 200, 0x41, 2, 0, 1, 0, 255})
	f.Add([]byte{5, 1, 0, 0, 0, 0, 0x41, 0x42, 0x43, 9, 9, 9, 9, 9, 9, 9, 9})
	f.Add(bytes.Repeat([]byte{0xa5, 0x13, 0x00, 0xff}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 || len(data) > 4096 {
			return
		}
		cfg, data := data[:4], data[4:]
		size := 1 + int64(binary.LittleEndian.Uint16(cfg[0:]))*37 // up to ~2.4 MB, rarely aligned
		formats := []image.Format{image.FormatQcow2, image.FormatRaw}
		comps := []string{"none", "zlib", "zstd"}
		clusters := []int{512, 4096, 65536}
		o := image.ExportOptions{
			Format:      formats[cfg[2]%2],
			Compression: comps[cfg[2]/2%3],
			ClusterSize: clusters[cfg[3]%3],
			Workers:     int(cfg[3]/3%3) + 1,
		}
		if o.Format == image.FormatRaw {
			o.Compression = ""
		}
		model := make([]byte, size)
		for i := range model {
			model[i] = byte(i * 7 / 4096) // non-zero base content
		}
		base := rawDisk(t, model)
		ov := image.NewOverlay(base, image.OverlayOptions{MemoryLimit: 16 << 10, TempDir: t.TempDir()})
		defer ov.Close()
		for len(data) >= 6 {
			op, off, n := data[0], int64(binary.LittleEndian.Uint32(data[1:5]))%size, int64(data[5])*97+1
			data = data[6:]
			n = min(n, size-off)
			if op%4 == 0 {
				o.Discard = append(o.Discard, image.Range{Off: off, Len: n * 31})
				continue
			}
			fill := bytes.Repeat([]byte{op}, int(n))
			if op%4 == 1 {
				clear(fill)
			}
			if _, err := ov.WriteAt(fill, off); err != nil {
				t.Fatal(err)
			}
			copy(model[off:], fill)
		}
		for _, r := range o.Discard {
			clear(model[r.Off:min(r.End(), size)])
		}
		out := filepath.Join(t.TempDir(), "out.img")
		if _, err := image.Export(context.Background(), ov, out, o); err != nil {
			t.Fatalf("Export(%+v): %v", o, err)
		}
		d, err := image.Open(out)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer d.Close()
		got := make([]byte, d.Size())
		if d.Size() < size {
			t.Fatalf("exported %d bytes of %d", d.Size(), size)
		}
		if _, err := d.ReadAt(got, 0); err != nil {
			t.Fatal(err)
		}
		if i := firstDiff(got[:size], model); i >= 0 {
			t.Fatalf("%+v: byte %d = %#x, want %#x", o, i, got[i], model[i])
		}
	})
}
