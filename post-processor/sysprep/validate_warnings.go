package sysprep

import (
	"bytes"
	"fmt"
	"os"
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
// them (PACKER_LOG).
func showWarnings(warnings []string) {
	if len(warnings) == 0 || os.Getenv("PACKER_PLUGIN_MIN_PORT") == "" {
		return // not started by Packer
	}
	ppid := os.Getppid()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", ppid))
	if err != nil || !isValidateCommand(cmdline) {
		return
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", ppid), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	var b strings.Builder
	for _, w := range warnings {
		fmt.Fprintf(&b, "Warning: post-processor \"sysprep\": %s\n", w)
	}
	_, _ = f.WriteString(b.String())
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
