// Command showreport prints a sysprep JSON report (the post-processor's
// `report` file, the CLI's --report) as text: what each operation removed,
// changed and created. `make demo` uses it.
//
//	go run ./scripts/showreport demo-output/report.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: showreport REPORT.json")
		return 2
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "showreport:", err)
		return 1
	}
	var r engine.Result
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintf(stderr, "showreport: %s: %v\n", args[0], err)
		return 1
	}
	g := r.Guest
	fmt.Fprintf(stdout, "Guest: %s (%s %s)\n", g.PrettyName, g.Distro, g.Version)
	for _, f := range g.Filesystems {
		fmt.Fprintf(stdout, "  %s on %s mounted at %s\n", f.Type, f.Volume, f.Mountpoint)
	}
	var removed, changed, created int
	for _, op := range r.Operations {
		rm, ch, cr := op.Counts()
		removed, changed, created = removed+rm, changed+ch, created+cr
		if rm+ch+cr == 0 {
			continue
		}
		fmt.Fprintf(stdout, "\n%s (%.2fs)\n", op.Name, op.Seconds)
		for _, p := range op.Removed {
			fmt.Fprintln(stdout, "  - removed "+p)
		}
		for _, p := range op.Changed {
			fmt.Fprintln(stdout, "  ~ changed "+p)
		}
		for _, p := range op.Created {
			fmt.Fprintln(stdout, "  + created "+p)
		}
		for _, n := range op.Notes {
			fmt.Fprintln(stdout, "    note: "+n)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(stdout, "\nWarnings:\n  "+strings.Join(r.Warnings, "\n  "))
	}
	fmt.Fprintf(stdout, "\nTotal: %d removed, %d changed, %d created in %.2fs; output %s (%s, %d MiB virtual, %d KiB file)\n",
		removed, changed, created, r.Seconds, r.Output, r.Format, r.VirtualSize>>20, r.FileSize>>10)
	return 0
}
