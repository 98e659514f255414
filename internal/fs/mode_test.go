package fs

import (
	iofs "io/fs"
	"testing"
)

func TestModeConversions(t *testing.T) {
	for _, c := range []struct {
		unix uint32
		want iofs.FileMode
	}{
		{0o100644, 0o644},
		{0o104755, iofs.ModeSetuid | 0o755},
		{0o041777, iofs.ModeDir | iofs.ModeSticky | 0o777},
		{0o042775, iofs.ModeDir | iofs.ModeSetgid | 0o775},
		{0o120777, iofs.ModeSymlink | 0o777},
		{0o020620, iofs.ModeDevice | iofs.ModeCharDevice | 0o620},
		{0o060660, iofs.ModeDevice | 0o660},
		{0o010600, iofs.ModeNamedPipe | 0o600},
		{0o140755, iofs.ModeSocket | 0o755},
		{0o170644, iofs.ModeIrregular | 0o644},
		{0o000644, iofs.ModeIrregular | 0o644},
	} {
		got := FileModeFromUnix(c.unix)
		if got != c.want {
			t.Errorf("FileModeFromUnix(%#o) = %v, want %v", c.unix, got, c.want)
		}
		if p := UnixPerm(got); p != c.unix&0o7777 {
			t.Errorf("UnixPerm(%v) = %#o, want %#o", got, p, c.unix&0o7777)
		}
	}
}
