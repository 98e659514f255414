package ext4

import (
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

// FreeRanges implements fs.FS: the byte ranges of blocks the bitmaps mark
// free (a BLOCK_UNINIT group counts as free apart from its own metadata).
// Block 0 of a 1 KiB-block filesystem (boot block) is never reported.
func (f *FS) FreeRanges() ([]image.Range, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []image.Range
	bs := f.geo.bs
	add := func(start, n uint64) {
		off, l := int64(start)*bs, int64(n)*bs
		if k := len(out); k > 0 && out[k-1].End() == off {
			out[k-1].Len += l
			return
		}
		out = append(out, image.Range{Off: off, Len: l})
	}
	ratio := uint64(1) << f.sb.clusterBits()
	for g := uint32(0); g < f.geo.groups; g++ {
		if f.gd(g).FreeBlocks() == 0 {
			continue
		}
		bm, err := f.blockBitmap(g)
		if err != nil {
			return nil, err
		}
		first := f.geo.groupFirstBlock(g)
		size := f.geo.groupBlocks(g)
		units := (size + ratio - 1) / ratio
		for u := uint64(0); u < units; u++ {
			if u&7 == 0 && u+8 <= units && bm.b[u>>3] == 0xFF {
				u += 7
				continue
			}
			if !testBit(bm.b, u) {
				start := first + u*ratio
				n := min(ratio, first+size-start)
				add(start, n)
			}
		}
		if !f.bitmaps.m[bitmapKey(false, g)].dirty {
			delete(f.bitmaps.m, bitmapKey(false, g))
		}
	}
	return out, nil
}
