// Command mkguest makes a realistic Debian 12-like guest disk image for the
// demo and the benchmarks (see internal/testtool/guestgen).
//
//	go run ./tools/mkguest -o demo/debian.qcow2 [-table gpt|mbr|none] [-format qcow2|raw] [-size 2G] [-secret S] [-boot]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mkguest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "demo/debian.qcow2", "output image `path`")
	table := fl.String("table", "gpt", "partition table: gpt, mbr or none")
	format := fl.String("format", "", "image format: qcow2 or raw (default: from the file extension, else qcow2)")
	sizeFlag := fl.String("size", "2G", "virtual disk size (e.g. 2G, 512M)")
	secret := fl.String("secret", "", "secret string planted in files sysprep deletes (default: random)")
	boot := fl.Bool("boot", false, "put /boot on its own ext4 partition (1 KiB blocks)")
	fill := fl.String("fill", "0", "add this much incompressible data under /usr/lib/filler (e.g. 512M), like a real system's content")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "mkguest: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	n, err := size.Parse(*sizeFlag)
	if err != nil {
		fmt.Fprintf(stderr, "mkguest: -size: %v\n", err)
		return 2
	}
	var filler int64
	if *fill != "0" {
		if filler, err = size.Parse(*fill); err != nil {
			fmt.Fprintf(stderr, "mkguest: -fill: %v\n", err)
			return 2
		}
	}
	f := *format
	if f == "" {
		f = "qcow2"
		if ext := filepath.Ext(*out); ext == ".img" || ext == ".raw" {
			f = "raw"
		}
	}
	dir := filepath.Dir(*out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "mkguest: %v\n", err)
		return 1
	}
	d, err := guestgen.Build(ctx, guestgen.Options{
		Dir: dir, Name: filepath.Base(*out), Table: *table, Format: f, Size: n, Secret: *secret, SeparateBoot: *boot, Filler: filler,
	})
	if err != nil {
		fmt.Fprintf(stderr, "mkguest: %v\n", err)
		return 1
	}
	st, err := os.Stat(d.Path)
	if err != nil {
		fmt.Fprintf(stderr, "mkguest: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: Debian 12 guest, %s, %s table, %d MiB virtual, %d KiB on disk\n",
		d.Path, d.Format, d.Table, d.Size>>20, allocated(st)>>10)
	for _, fs := range d.Filesystems {
		where := "whole disk"
		if fs.Partition > 0 {
			where = fmt.Sprintf("partition %d", fs.Partition)
			if fs.Label != "" {
				where += fmt.Sprintf(" (%q)", fs.Label)
			}
		}
		fmt.Fprintf(stdout, "  %-6s ext4 %s, %d KiB blocks, UUID %s, offset %d, %d MiB\n",
			fs.Mountpoint, where, fs.BlockSize/1024, fs.UUID, fs.Off, fs.Size>>20)
	}
	fmt.Fprintf(stdout, "  secret: %s\n", d.Secret)
	return 0
}

// allocated returns the bytes a (sparse) file really occupies.
func allocated(st os.FileInfo) int64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Blocks * 512
	}
	return st.Size()
}
