package size

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"20G": 20 << 30, "20480M": 20480 << 20, "512k": 512 << 10, "1T": 1 << 40, "64k": 64 << 10,
		"1073741824": 1 << 30, "2GiB": 2 << 30, "3gb": 3 << 30, " 7M ": 7 << 20,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "G", "-1G", "0", "1.5G", "3 G", "99999999999T", "12Q", "0x10"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
		}
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 3 << 20: "3.0 MiB",
		512 << 20: "512 MiB", 20 << 30: "20.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := Format(n); got != want {
			t.Errorf("Format(%d) = %q, want %q", n, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"20G", "1", "2GiB", "99999999999T", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := Parse(s); err == nil && n <= 0 {
			t.Fatalf("Parse(%q) = %d without error", s, n)
		}
	})
}
