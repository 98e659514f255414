// Package size reads and prints byte sizes the way qemu-img and Packer's
// disk_size do: powers of 1024 with K, M, G and T suffixes.
package size

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a positive size: a byte count, or a whole number with a
// binary suffix K, M, G or T, optionally followed by "B" or "iB", in any
// case ("20G", "512M", "2GiB", "3gb", "1073741824").
func Parse(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:len(t)-1]
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q (want e.g. 20G, 512M or a number of bytes)", s)
	}
	return n * mult, nil
}

// Format prints a byte count with a binary unit: "1023 B", "3.0 MiB",
// "512 MiB" (no decimal from 100 up).
func Format(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	suffix := "KMGTP"[exp : exp+1]
	if v >= 100 {
		return fmt.Sprintf("%.0f %siB", v, suffix)
	}
	return fmt.Sprintf("%.1f %siB", v, suffix)
}
