// Command sysprep generalizes a disk image offline, the way virt-sysprep
// does, with the same engine as the Packer post-processor:
//
//	sysprep -a INPUT -o OUTPUT [--format qcow2|raw] [--compress none|zlib|zstd] [OPTIONS...]
//
// Run `sysprep --help` for every option.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command: it parses args, runs the job and returns the
// exit status (0 success, 1 failure, 2 usage error). It never panics.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "sysprep: bug: %v (no output was written; please report this with the command line and `sysprep -v` output)\n", r)
			if os.Getenv("SYSPREP_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	o, err := parse(args)
	if err != nil {
		return usageFailure(stderr, err)
	}
	switch {
	case o.help:
		printHelp(stdout)
		return 0
	case o.version:
		fmt.Fprintf(stdout, "sysprep %s\n", versionString())
		return 0
	case o.listOps:
		printOperations(stdout)
		return 0
	}
	job, err := buildJob(o)
	if err != nil {
		return usageFailure(stderr, err)
	}
	ui := newUI(o, stdout, stderr)
	job.Logf, job.Warnf, job.Stdout = ui.logf, ui.warnf, ui.stdoutLine
	job.OnOperation, job.Progress = ui.operation, ui.progress
	if o.verbose {
		for _, s := range job.Plan.Customize {
			ui.logf("plan: customize %s", s) // Step.String hides passwords
		}
		if job.Plan.Operations != nil {
			ui.logf("plan: operations %s", strings.Join(job.Plan.Operations, ","))
		}
	}
	ui.step("Examining the guest in %s ...", o.input)
	res, err := runJob(ctx, job)
	ui.finishProgress()
	if err != nil {
		return failure(stderr, ctx, err)
	}
	ui.done(res)
	if o.report != "" {
		if err := writeReport(o.report, res, stdout); err != nil {
			fmt.Fprintf(stderr, "sysprep: --report %s: %v (the image %s was written)\n", o.report, err, res.Output)
			return 1
		}
	}
	return 0
}

// runJob is engine.Run; a test swaps it to check the panic guard.
var runJob = engine.Run

func usageFailure(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "sysprep: %v\n%s\n", err, hint)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// failure prints the one-line error of a failed run.
func failure(stderr io.Writer, ctx context.Context, err error) int {
	msg := err.Error()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		msg = "interrupted: no output was written"
	}
	if errors.Is(err, engine.ErrUsage) {
		fmt.Fprintf(stderr, "%s\n%s\n", oneLine("sysprep: "+strings.TrimPrefix(msg, "sysprep: ")), hint)
		return 2
	}
	fmt.Fprintln(stderr, oneLine("sysprep: "+strings.TrimPrefix(msg, "sysprep: ")))
	return 1
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// writeReport writes the result as indented JSON to path ("-" = stdout),
// atomically.
func writeReport(path string, res *engine.Result, stdout io.Writer) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err := stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// elapsed formats seconds since start like virt-sysprep: "[   1.2]".
func elapsed(start time.Time) string {
	return fmt.Sprintf("[%6.1f]", time.Since(start).Seconds())
}
