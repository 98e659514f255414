// Command imagebench makes the input of the image-layer benchmark and
// times our export of it (bench/image_bench.sh compares it with qemu-img).
//
//	imagebench mkinput -o in.raw -size 4G -data 1G      sparse raw, random data in scattered 64 KiB clusters
//	imagebench export -in in.qcow2 -out out.qcow2 [-compression zstd] [-writes 4M] [-discard 200M]
//
// export prints one line: seconds=... peak_rss_mib=... allocated=... file=...
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: imagebench mkinput|export [flags]")
		return 2
	}
	var err error
	switch args[0] {
	case "mkinput":
		err = mkinput(args[1:])
	case "export":
		err = export(ctx, args[1:], stdout)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "imagebench:", err)
		return 1
	}
	return 0
}

// parseSize reads 4G, 200M, 64k or a byte count.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "k"):
		mult, s = 1<<10, strings.TrimSuffix(s, "k")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}

const cluster = 64 << 10

func mkinput(args []string) error {
	fl := flag.NewFlagSet("mkinput", flag.ContinueOnError)
	out := fl.String("o", "", "output raw file")
	sizeS := fl.String("size", "4G", "virtual size")
	dataS := fl.String("data", "1G", "random data, in scattered 64 KiB clusters")
	if err := fl.Parse(args); err != nil {
		return err
	}
	size, err := parseSize(*sizeS)
	if err != nil {
		return err
	}
	data, err := parseSize(*dataS)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(42, 4242))
	n := size / cluster
	want := data / cluster
	buf := make([]byte, cluster)
	for c := int64(0); c < n && want > 0; c++ {
		if r.Int64N(n-c) >= want { // choose want of the n clusters uniformly
			continue
		}
		for i := 0; i < len(buf); i += 8 {
			v := r.Uint64()
			for k := range 8 {
				buf[i+k] = byte(v >> (8 * k))
			}
		}
		if _, err := f.WriteAt(buf, c*cluster); err != nil {
			return err
		}
		want--
	}
	return f.Close()
}

func export(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	in := fl.String("in", "", "input image")
	out := fl.String("out", "", "output image")
	format := fl.String("format", "qcow2", "qcow2 or raw")
	comp := fl.String("compression", "none", "none, zlib or zstd")
	writesS := fl.String("writes", "4M", "overlay writes, in scattered 4 KiB blocks")
	discardS := fl.String("discard", "200M", "discarded bytes, in scattered 1 MiB ranges")
	workers := fl.Int("workers", 0, "export workers (0: GOMAXPROCS)")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile here")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	writes, err := parseSize(*writesS)
	if err != nil {
		return err
	}
	discard, err := parseSize(*discardS)
	if err != nil {
		return err
	}
	start := time.Now()
	d, err := image.Open(*in)
	if err != nil {
		return err
	}
	defer d.Close()
	ov := image.NewOverlay(d, image.OverlayOptions{})
	defer ov.Close()
	r := rand.New(rand.NewPCG(7, 77))
	blk := make([]byte, 4096)
	for i := range blk {
		blk[i] = byte(i*31 + 1)
	}
	for w := int64(0); w < writes; w += 4096 {
		if _, err := ov.WriteAt(blk, r.Int64N(d.Size()/4096)*4096); err != nil {
			return err
		}
	}
	var ranges []image.Range
	for n := int64(0); n < discard; n += 1 << 20 {
		ranges = append(ranges, image.Range{Off: r.Int64N(d.Size() - 1<<20), Len: 1 << 20})
	}
	res, err := image.Export(ctx, ov, *out, image.ExportOptions{Format: image.Format(*format), Compression: *comp, Discard: ranges, Workers: *workers})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seconds=%.3f peak_rss_mib=%d allocated=%d file=%d\n",
		time.Since(start).Seconds(), peakRSS()>>20, res.AllocatedBytes, res.FileSize)
	return nil
}

// peakRSS returns VmHWM from /proc/self/status, in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return -1
}
