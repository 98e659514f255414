package volume

import (
	"testing"
)

// FuzzList feeds List a 1 MiB zero disk holding head at offset 0 and tail
// at its end (where the backup GPT lives). Seeds in testdata/fuzz/FuzzList
// come from sgdisk and sfdisk (see testdata/README.md). List must never
// panic, and every volume it returns must lie inside the disk.
func FuzzList(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, head, tail []byte) {
		const size = 1 << 20
		if len(head) > size || len(tail) > size {
			return
		}
		img := &sparseImage{size: size, head: head, tail: tail}
		vols, err := List(img, "fuzz")
		if err != nil {
			return
		}
		for _, v := range vols {
			if v.Offset < 0 || v.Size < 0 || v.Offset+v.Size > size || v.Image == nil || v.Image.Size() != v.Size {
				t.Fatalf("volume outside the disk: %+v", v)
			}
		}
	})
}
