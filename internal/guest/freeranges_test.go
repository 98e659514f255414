package guest

import (
	"errors"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// rangesFS is a memfs reporting fixed free ranges.
type rangesFS struct {
	*memfs.FS
	ranges []image.Range
}

func (r rangesFS) FreeRanges() ([]image.Range, error) { return r.ranges, nil }

func TestFreeRangesOffsetsAndBounds(t *testing.T) {
	vol := func(off, size int64) volume.Volume { return volume.Volume{Name: "v", Offset: off, Size: size} }
	m := &Mounted{Filesystems: []Opened{
		{Volume: vol(1<<20, 1<<20), FS: rangesFS{memfs.New(), []image.Range{{Off: 4096, Len: 4096}, {Off: 8192, Len: 100}, {Off: 0, Len: 0}}}},
		{Volume: vol(4<<20, 1<<20), FS: rangesFS{memfs.New(), []image.Range{{Off: 0, Len: 1 << 20}}}},
	}, swap: []swapArea{{vol: vol(2<<20, 2<<20), page: 4096}}}
	got, err := m.FreeRanges()
	if err != nil {
		t.Fatal(err)
	}
	want := []image.Range{{Off: 1<<20 + 4096, Len: 4096 + 100}, {Off: 2<<20 + 4096, Len: 3<<20 - 4096}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("FreeRanges = %v, want %v", got, want)
	}
	// A range beyond its volume is an engine bug: refuse, never export it.
	m.Filesystems[0].FS = rangesFS{memfs.New(), []image.Range{{Off: 1<<20 - 10, Len: 20}}}
	if _, err := m.FreeRanges(); !errors.Is(err, fs.ErrCorrupt) {
		t.Errorf("out-of-volume range: err = %v", err)
	}
}
