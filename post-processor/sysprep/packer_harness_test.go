package sysprep

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// The acceptance tests run the real thing: the plugin binary built from this
// tree, installed with `packer plugins install --path` into a private plugin
// directory, driven by a real `packer` (v1.14.3, .ci/install-packer.sh).
// They run by default (make test); with CI set a missing packer fails them.

const pluginSource = "github.com/packer-sysprep/sysprep"

var (
	harnessDir  string // removed by TestMain
	pluginOnce  sync.Once
	pluginDir   string // PACKER_PLUGIN_PATH with the plugin installed
	pluginError string
)

func TestMain(m *testing.M) {
	// `go test` outside make: find a packer built by .ci/install-packer.sh.
	if _, err := exec.LookPath("packer"); err != nil {
		if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			bin := filepath.Join(strings.TrimSpace(string(gopath)), "bin")
			if _, err := os.Stat(filepath.Join(bin, "packer")); err == nil {
				os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
		}
	}
	d, err := os.MkdirTemp("", "sysprep-acc-")
	if err != nil {
		panic(err)
	}
	harnessDir = d
	code := m.Run()
	os.RemoveAll(harnessDir)
	os.Exit(code)
}

// installedPlugin builds the plugin as a release (plain X.Y.Z, so that
// `packer init` would be a no-op) and installs it; once per test binary.
func installedPlugin(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "packer", "go")
	pluginOnce.Do(func() {
		bin := filepath.Join(harnessDir, "packer-plugin-sysprep")
		build := exec.Command("go", "build", "-o", bin,
			"-ldflags", "-X github.com/packer-sysprep/packer-plugin-sysprep/version.VersionPrerelease=",
			"github.com/packer-sysprep/packer-plugin-sysprep")
		if out, err := build.CombinedOutput(); err != nil {
			pluginError = "go build of the plugin: " + err.Error() + "\n" + string(out)
			return
		}
		dir := filepath.Join(harnessDir, "plugins")
		install := exec.Command("packer", "plugins", "install", "--path", bin, pluginSource)
		install.Env = packerEnv(dir)
		if out, err := install.CombinedOutput(); err != nil {
			pluginError = "packer plugins install --path: " + err.Error() + "\n" + string(out)
			return
		}
		pluginDir = dir
	})
	if pluginError != "" {
		t.Fatal(pluginError)
	}
	return pluginDir
}

func packerEnv(pluginPath string) []string {
	env := []string{"PACKER_PLUGIN_PATH=" + pluginPath, "CHECKPOINT_DISABLE=1", "PACKER_NO_COLOR=1"}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PACKER_") && !strings.HasPrefix(e, "CHECKPOINT_") {
			env = append(env, e)
		}
	}
	return env
}

// packerResult is one packer run.
type packerResult struct {
	out  string // stdout + stderr
	log  string // PACKER_LOG
	code int
}

// runPacker runs `packer <args>` in dir with the plugin installed and a
// debug log; it never fails the test itself.
func runPacker(t *testing.T, dir string, args ...string) packerResult {
	t.Helper()
	plugins := installedPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	logPath := filepath.Join(dir, "packer.log")
	cmd := exec.CommandContext(ctx, "packer", args...)
	cmd.Dir = dir
	cmd.Env = append(packerEnv(plugins), "PACKER_LOG=1", "PACKER_LOG_PATH="+logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	res := packerResult{out: out.String()}
	if b, e := os.ReadFile(logPath); e == nil {
		res.log = string(b)
	}
	if err != nil {
		res.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			res.code = ee.ExitCode()
		}
	}
	return res
}

// mustPacker runs packer and fails the test, with the output and the tail
// of the log, unless it exits 0.
func mustPacker(t *testing.T, dir string, args ...string) packerResult {
	t.Helper()
	r := runPacker(t, dir, args...)
	if r.code != 0 {
		log := r.log
		if len(log) > 8000 {
			log = log[len(log)-8000:]
		}
		t.Fatalf("packer %s: exit %d\n%s\n--- log tail ---\n%s", strings.Join(args, " "), r.code, r.out, log)
	}
	return r
}

func writeTemplate(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
