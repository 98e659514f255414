package volume

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestIdentify(t *testing.T) {
	lvm := make([]byte, 1024)
	copy(lvm[512:], "LABELONE")
	copy(lvm[512+24:], "LVM2 001")
	for _, c := range []struct {
		name string
		head []byte
		want Content
	}{
		{"luks", []byte("LUKS\xba\xbe\x00\x02"), ContentLUKS},
		{"lvm2", lvm, ContentLVM2},
		{"zeros", nil, ContentUnknown},
		{"short", []byte("x"), ContentUnknown},
	} {
		img := &sparseImage{size: 1 << 20, head: c.head}
		if got := Identify(img, img.size); got != c.want {
			t.Errorf("%s: Identify = %q, want %q", c.name, got, c.want)
		}
	}
	if got := Identify(&sparseImage{size: 100}, 100); got != ContentUnknown {
		t.Errorf("tiny volume: %q", got)
	}
}

func TestIdentifyMkswap(t *testing.T) {
	testtool.Need(t, "mkswap")
	p := makeSparse(t, 4<<20)
	testtool.Run(t, "mkswap", p)
	img := openFile(t, p)
	if got := Identify(img, img.Size()); got != ContentSwap {
		t.Fatalf("Identify(mkswap) = %q", got)
	}
	if got := SwapPageSize(img, img.Size()); got != int64(os.Getpagesize()) {
		t.Fatalf("SwapPageSize = %d, want %d", got, os.Getpagesize())
	}
}

func TestRefusal(t *testing.T) {
	v := Volume{Index: 3, Name: "d partition 3 (MBR, type 0x8e)"}
	err := ContentLVM2.Refusal(v)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "LVM2 physical volume on partition 3: not supported yet") {
		t.Errorf("LVM2 refusal = %v", err)
	}
	if err := ContentLUKS.Refusal(v); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "LUKS") {
		t.Errorf("LUKS refusal = %v", err)
	}
	if ContentSwap.Refusal(v) != nil || ContentUnknown.Refusal(v) != nil {
		t.Error("swap/unknown must not be refusals")
	}
}
