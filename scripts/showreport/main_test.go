package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

func TestShowReport(t *testing.T) {
	r := engine.Result{
		Output: "golden.qcow2", Format: "qcow2", VirtualSize: 1 << 30, FileSize: 300 << 10, Seconds: 0.25,
		Guest: engine.GuestInfo{PrettyName: "Debian GNU/Linux 12 (bookworm)", Distro: "debian", Version: "12",
			Filesystems: []engine.FilesystemInfo{{Volume: `partition 1 (GPT, "root")`, Type: "ext4", Mountpoint: "/"}}},
		Operations: []sysprep.OpReport{
			{Name: "abrt-data", Removed: []string{}, Changed: []string{}, Created: []string{}},
			{Name: "logfiles", Removed: []string{"/var/log/syslog", "/var/log/auth.log"}},
			{Name: "customize", Changed: []string{"/etc/hostname"}, Created: []string{"/etc/motd"}},
		},
		Warnings: []string{"no /etc/timezone"},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{p}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"Guest: Debian GNU/Linux 12 (bookworm) (debian 12)", "ext4 on partition 1",
		"- removed /var/log/syslog", "~ changed /etc/hostname", "+ created /etc/motd", "no /etc/timezone",
		"Total: 2 removed, 1 changed, 1 created",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "abrt-data") {
		t.Errorf("operations that did nothing are listed:\n%s", got)
	}
	if code := run([]string{filepath.Join(t.TempDir(), "none.json")}, &out, &errb); code != 1 {
		t.Errorf("missing report: exit %d", code)
	}
}
