package sysprep

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// showWarnings makes contradictory settings visible to `packer validate`.
//
// Packer's post-processor API has no warnings channel: Configure returns
// only an error, and a plugin's stderr goes to PACKER_LOG only. So when the
// plugin runs under `packer validate` (its parent process, on Linux), the
// warnings are written to that process's standard error, where the user
// sees them next to "The configuration is valid.". During `packer build`
// PostProcess shows them through the UI instead, and every platform logs
// them (PACKER_LOG). Elsewhere than Linux, validate only logs them.
func showWarnings(warnings []string) {
	if len(warnings) == 0 || os.Getenv("PACKER_PLUGIN_MIN_PORT") == "" {
		return // not started by Packer
	}
	// Packer runs as two processes (panicwrap): the plugin's parent, whose
	// stderr only reaches PACKER_LOG, and above it the process the user
	// started. Take the outermost `packer validate`.
	target := 0
	for pid, hops := os.Getppid(), 0; pid > 1 && hops < 4; hops++ {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !isValidateCommand(cmdline) {
			break
		}
		target = pid
		pid = parentPID(pid)
	}
	if target == 0 {
		return
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", target), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	// A terminal or a pipe only: a regular file opened anew has its own
	// offset, and Packer's next write would overwrite ours.
	if st, err := f.Stat(); err != nil || st.Mode().IsRegular() {
		return
	}
	var b strings.Builder
	for _, w := range warnings {
		fmt.Fprintf(&b, "Warning: post-processor \"sysprep\": %s\n", w)
	}
	_, _ = f.WriteString(b.String())
}

// parentPID reads the parent of pid from /proc/PID/stat ("pid (comm) state ppid ..."); 0 when unknown.
func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return ppid
}

// isValidateCommand reports whether a NUL-separated command line runs
// `packer validate`: the first argument after the program and its
// dash-options is "validate".
func isValidateCommand(cmdline []byte) bool {
	args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
	for _, a := range args[1:] {
		if bytes.HasPrefix(a, []byte("-")) {
			continue
		}
		return string(a) == "validate"
	}
	return false
}
