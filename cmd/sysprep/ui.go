package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
)

// ui prints what a run does: virt-sysprep-style "[  1.2] ..." steps and
// the summary on stdout (unless -q), warnings and -v details on stderr, and
// a progress bar on stderr when it is a terminal.
type ui struct {
	quiet, verbose bool
	stdout, stderr io.Writer
	start          time.Time
	bar            bool // stderr is a terminal

	mu        sync.Mutex
	writing   bool // the export started
	barShown  bool
	lastDraw  time.Time
	output    string
	outFormat string
}

func newUI(o *options, stdout, stderr io.Writer) *ui {
	u := &ui{quiet: o.quiet, verbose: o.verbose, stdout: stdout, stderr: stderr, start: time.Now(), output: o.output}
	if f, ok := stderr.(*os.File); ok && !o.quiet {
		u.bar = term.IsTerminal(int(f.Fd()))
	}
	return u
}

func (u *ui) step(format string, args ...any) {
	if u.quiet {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.clearBar()
	fmt.Fprintf(u.stdout, "%s %s\n", elapsed(u.start), fmt.Sprintf(format, args...))
}

func (u *ui) logf(format string, args ...any) {
	if !u.verbose {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.clearBar()
	fmt.Fprintf(u.stderr, "sysprep: %s\n", fmt.Sprintf(format, args...))
}

func (u *ui) warnf(format string, args ...any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.clearBar()
	fmt.Fprintf(u.stderr, "sysprep: warning: %s\n", fmt.Sprintf(format, args...))
}

// stdoutLine prints output the user asked for (e.g. a random password):
// shown even with -q.
func (u *ui) stdoutLine(line string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.clearBar()
	fmt.Fprintln(u.stdout, line)
}

func (u *ui) operation(name string) {
	u.step("Performing %q ...", name)
}

// progress is called by the export; the first call announces it.
func (u *ui) progress(done, total int64) {
	u.mu.Lock()
	first := !u.writing
	u.writing = true
	u.mu.Unlock()
	if first {
		u.step("Writing %s ...", u.output)
	}
	if !u.bar {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if now := time.Now(); done < total && now.Sub(u.lastDraw) < 100*time.Millisecond {
		return
	} else {
		u.lastDraw = now
	}
	const width = 40
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	n := int(frac * width)
	bar := strings.Repeat("=", n) + strings.Repeat(" ", width-n)
	if n < width {
		bar = bar[:n] + ">" + bar[n+1:]
	}
	fmt.Fprintf(u.stderr, "\r[%s] %3.0f%% %s/%s ", bar, frac*100, size.Format(done), size.Format(total))
	u.barShown = true
}

// clearBar erases the progress line before other output (mu held).
func (u *ui) clearBar() {
	if u.barShown {
		fmt.Fprint(u.stderr, "\r\033[K")
		u.barShown = false
	}
}

func (u *ui) finishProgress() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.clearBar()
}

// done prints the summary of a successful run.
func (u *ui) done(r *engine.Result) {
	if u.quiet {
		return
	}
	idle := 0
	for _, line := range r.Summary() {
		if strings.HasSuffix(line, ": nothing to do") && !u.verbose {
			idle++
			continue
		}
		fmt.Fprintf(u.stdout, "  %s\n", line)
	}
	if idle > 0 {
		plural := "s"
		if idle == 1 {
			plural = ""
		}
		fmt.Fprintf(u.stdout, "  (%d more operation%s found nothing to do)\n", idle, plural)
	}
	g := r.Guest.PrettyName
	if g == "" {
		g = strings.TrimSpace(r.Guest.Distro + " " + r.Guest.Version)
	}
	if r.DryRun {
		fmt.Fprintf(u.stdout, "%s Dry run on %s (%s): nothing written.\n", elapsed(u.start), r.Input, g)
		return
	}
	comp := ""
	if r.Compression != "" && r.Compression != "none" {
		comp = ", " + r.Compression
	}
	fmt.Fprintf(u.stdout, "%s Finished: %s (%s%s), %s virtual, %s file, guest %s.\n",
		elapsed(u.start), r.Output, r.Format, comp, size.Format(r.VirtualSize), size.Format(r.FileSize), g)
}
