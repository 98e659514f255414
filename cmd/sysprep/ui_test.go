package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

func TestProgressBar(t *testing.T) {
	var out, errb bytes.Buffer
	u := newUI(&options{output: "out.qcow2"}, &out, &errb)
	u.bar = true // as on a terminal
	u.progress(0, 4<<30)
	u.progress(2<<30, 4<<30)
	u.warnf("disk %s", "x")
	u.progress(4<<30, 4<<30)
	u.finishProgress()
	e := errb.String()
	for _, want := range []string{"\r[>", "  0% 0 B/4.0 GiB", "\r\033[K" + "sysprep: warning: disk x\n", "100% 4.0 GiB/4.0 GiB", "[" + strings.Repeat("=", 40) + "]"} {
		if !strings.Contains(e, want) {
			t.Errorf("stderr lacks %q:\n%q", want, e)
		}
	}
	if !strings.HasSuffix(e, "\r\033[K") {
		t.Errorf("the bar is not erased at the end: %q", e)
	}
	if !strings.Contains(out.String(), "Writing out.qcow2 ...") || strings.Count(out.String(), "Writing") != 1 {
		t.Errorf("stdout: %q", out.String())
	}
}

func TestQuietPrintsOnlyRequestedOutput(t *testing.T) {
	var out, errb bytes.Buffer
	u := newUI(&options{quiet: true, output: "o"}, &out, &errb)
	u.step("Examining")
	u.operation("logfiles")
	u.logf("detail")
	u.progress(1, 2)
	u.stdoutLine("root password: abc")
	u.warnf("careful")
	u.done(&engine.Result{Operations: []sysprep.OpReport{{Name: "logfiles", Removed: []string{"/var/log/x"}}}})
	if out.String() != "root password: abc\n" || errb.String() != "sysprep: warning: careful\n" {
		t.Fatalf("-q: stdout %q stderr %q", out.String(), errb.String())
	}
}
