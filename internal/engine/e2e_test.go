package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// removedByDefault are generator files the default operations delete.
var removedByDefault = []string{
	"/root/.bash_history",
	"/home/debian/.bash_history",
	"/root/.ssh",
	"/home/debian/.ssh",
	"/etc/ssh/ssh_host_ed25519_key",
	"/etc/ssh/ssh_host_rsa_key.pub",
	"/var/log/syslog",
	"/var/log/auth.log",
	"/var/log/cloud-init.log",
	"/var/lib/dhcp/dhclient.eth0.leases",
	"/var/cache/apt/archives/jq_1.6-2.1_amd64.deb",
	"/var/spool/cron/crontabs/debian",
	"/var/mail/debian",
	"/tmp/build.log",
	"/tmp/.hidden-junk",
	"/var/tmp/cloud-init",
	"/etc/udev/rules.d/70-persistent-net.rules",
	"/etc/shadow-",
	"/etc/passwd-",
	"/etc/hosts.bak",
}

// keptByDefault must survive a default run.
var keptByDefault = []string{
	"/etc/passwd", "/etc/shadow", "/etc/ssh/sshd_config", "/etc/cloud/cloud.cfg",
	"/usr/share/zoneinfo/Europe/London", "/tmp", "/var/tmp", "/var/spool/cron/crontabs",
	"/var/cache/apt/archives", "/home/debian", "/bin", "/var/run",
}

func TestRunDefaults(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 512 << 20})
	before := testtool.SHA256File(t, d.Path)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "golden.qcow2")
	var ops []string
	var lastDone, lastTotal int64
	res, err := Run(context.Background(), Job{
		Input: d.Path, Output: out,
		OnOperation: func(n string) { ops = append(ops, n) },
		Progress:    func(done, total int64) { lastDone, lastTotal = done, total },
		Warnf:       func(f string, a ...any) { t.Logf("warning: "+f, a...) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := testtool.SHA256File(t, d.Path); after != before {
		t.Fatal("the input changed")
	}
	noTempFiles(t, outDir, "golden.qcow2")

	// The result.
	if res.Input != d.Path || res.Output != out || res.Format != "qcow2" || res.VirtualSize != d.Size || res.DryRun {
		t.Errorf("result: %+v", res)
	}
	if st, _ := os.Stat(out); res.FileSize != st.Size() {
		t.Errorf("FileSize %d, file has %d", res.FileSize, st.Size())
	}
	if res.Guest.Distro != "debian" || res.Guest.Version != "12" || res.Guest.Family != "debian" || len(res.Guest.Filesystems) != 1 {
		t.Errorf("guest: %+v", res.Guest)
	}
	if lastTotal != d.Size || lastDone != lastTotal {
		t.Errorf("progress ended at %d/%d, want %d/%d", lastDone, lastTotal, d.Size, d.Size)
	}
	defaults, _ := sysprep.ResolveOperations(nil)
	if len(ops) != len(defaults) || len(res.Operations) != len(defaults) {
		t.Errorf("ran %d operations (%d reported), want the %d defaults", len(ops), len(res.Operations), len(defaults))
	}
	sum := strings.Join(res.Summary(), "\n")
	mustContain(t, "summary", sum, "logfiles: ", "removed", "ssh-hostkeys: 6 removed")
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}

	// The output, checked by qemu-img, e2fsck, our reader and the kernel.
	testtool.QemuCheck(t, out)
	raw := toRaw(t, out, "qcow2")
	fsckAll(t, raw, d)
	m := openGuest(t, out)
	for _, p := range removedByDefault {
		if exists(t, m.Root, p) {
			t.Errorf("%s survived", p)
		}
	}
	for _, p := range keptByDefault {
		if !exists(t, m.Root, p) {
			t.Errorf("%s was removed", p)
		}
	}
	if got := readGuest(t, m.Root, "/etc/machine-id"); got != "" {
		t.Errorf("/etc/machine-id = %q, want empty", got)
	}
	if left := filesWith(t, m.Root, d.Secret); len(left) > 0 {
		t.Errorf("files still holding the secret: %v", left)
	}
	// No byte of a deleted file survives, anywhere in the disk: neither the
	// planted secret nor a line of the private host key. (Control: the
	// detector finds both in the input.)
	in := openGuest(t, d.Path)
	keyLines := strings.Split(readGuest(t, in.Root, "/etc/ssh/ssh_host_ed25519_key"), "\n")
	if len(keyLines) < 3 || len(keyLines[1]) < 60 {
		t.Fatalf("unexpected host key format: %q", keyLines)
	}
	needles := []string{d.Secret, keyLines[1]}
	if found := testtool.FindInFile(t, toRaw(t, d.Path, "qcow2"), needles...); len(found) != 2 {
		t.Fatalf("the input holds only %d of the needles: the check below would prove nothing", len(found))
	}
	if found := testtool.FindInFile(t, raw, needles...); len(found) > 0 {
		t.Errorf("still in the output's bytes (free space not discarded?): %q", found)
	}
	if found := testtool.FindInFile(t, out, needles...); len(found) > 0 {
		t.Errorf("still in the qcow2 file's bytes: %q", found)
	}
	if os.Geteuid() == 0 {
		root := d.Root()
		mnt := testtool.Mount(t, "ext4", raw, root.Off, root.Size)
		snap := testtool.Snapshot(t, mnt)
		for _, p := range removedByDefault {
			if _, ok := snap[strings.TrimPrefix(p, "/")]; ok {
				t.Errorf("kernel sees %s", p)
			}
		}
		for _, p := range keptByDefault {
			if _, ok := snap[strings.TrimPrefix(p, "/")]; !ok {
				t.Errorf("kernel does not see %s", p)
			}
		}
		if !strings.HasPrefix(snap["tmp"], "d 1777 0:0") || !strings.HasPrefix(snap["etc/machine-id"], "f 0444 0:0 0 ") {
			t.Errorf("kernel: tmp %q, machine-id %q", snap["tmp"], snap["etc/machine-id"])
		}
	}
}

func TestRunCustomize(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "gpt", Format: "qcow2", Size: 512 << 20, SeparateBoot: true})
	hashSecret := guestgen.HashSecret(d.Secret)
	before := testtool.SHA256File(t, d.Path)
	out := filepath.Join(t.TempDir(), "custom.raw")
	plan := sysprep.DefaultPlan()
	plan.MachineID = sysprep.MachineIDUninitialized
	plan.Customize = []customize.Step{
		{Op: "hostname", Arg: "web01.example.com"},
		{Op: "timezone", Arg: "Europe/London"},
		{Op: "root-password", Arg: "password:N3wRootPassw0rd"},
		{Op: "write", Arg: "/etc/motd:sysprepped\n"},
	}
	plan.CloudInit = &cloudinit.Config{ExtraYAML: "ssh_pwauth: false\ndisable_root: true\n"}
	var logs strings.Builder
	res, err := Run(context.Background(), Job{
		Input: d.Path, Output: out, Format: image.FormatRaw, Plan: plan,
		Logf: func(f string, a ...any) { logs.WriteString(f + "\n") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if testtool.SHA256File(t, d.Path) != before {
		t.Fatal("the input changed")
	}
	if strings.Contains(logs.String(), "N3wRootPassw0rd") {
		t.Error("the password reached the log")
	}
	if res.Format != "raw" || len(res.Guest.Filesystems) != 2 {
		t.Errorf("result: format %s, %d filesystems", res.Format, len(res.Guest.Filesystems))
	}
	fsckAll(t, out, d)
	m := openGuest(t, out)
	if got := readGuest(t, m.Root, "/etc/hostname"); got != "web01\n" && got != "web01.example.com\n" {
		t.Errorf("/etc/hostname = %q", got)
	}
	if tz, err := m.Root.Readlink("/etc/localtime"); err != nil || !strings.HasSuffix(tz, "zoneinfo/Europe/London") {
		t.Errorf("/etc/localtime -> %q (%v)", tz, err)
	}
	if got := readGuest(t, m.Root, "/etc/timezone"); got != "Europe/London\n" {
		t.Errorf("/etc/timezone = %q", got)
	}
	shadow := readGuest(t, m.Root, "/etc/shadow")
	if !strings.HasPrefix(shadow, "root:$") || strings.Contains(shadow, hashSecret) || strings.Contains(shadow, "N3wRootPassw0rd") {
		t.Errorf("/etc/shadow root entry not replaced: %q", strings.SplitN(shadow, "\n", 2)[0])
	}
	if got := readGuest(t, m.Root, "/etc/machine-id"); got != "uninitialized\n" {
		t.Errorf("/etc/machine-id = %q", got)
	}
	mustContain(t, "motd", readGuest(t, m.Root, "/etc/motd"), "sysprepped")
	mustContain(t, "cloud.cfg.d drop-in", readGuest(t, m.Root, "/etc/cloud/cloud.cfg.d/"+cloudinit.DefaultFileName), "ssh_pwauth: false")
	if !exists(t, m.Root, "/boot/grub/grub.cfg") || !exists(t, m.Root, "/vmlinuz") {
		t.Error("/boot content lost")
	}
	// Neither the deleted files' secret nor the replaced hash survive.
	if found := testtool.FindInFile(t, toRaw(t, d.Path, "qcow2"), d.Secret, hashSecret); len(found) != 2 {
		t.Fatalf("control: the input holds only %v", found)
	}
	if found := testtool.FindInFile(t, out, d.Secret, hashSecret); len(found) > 0 {
		t.Errorf("still in the output's bytes: %v (files: %v %v)", found, filesWith(t, m.Root, d.Secret), filesWith(t, m.Root, hashSecret))
	}
	if os.Geteuid() == 0 {
		root := d.Root()
		mnt := testtool.Mount(t, "ext4", out, root.Off, root.Size)
		b, err := os.ReadFile(filepath.Join(mnt, "etc/hostname"))
		if err != nil || !strings.HasPrefix(string(b), "web01") {
			t.Errorf("kernel reads /etc/hostname %q (%v)", b, err)
		}
		if _, err := os.Stat(filepath.Join(mnt, "root/.bash_history")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("kernel sees /root/.bash_history: %v", err)
		}
	}
}

func TestRunMBRSeparateBootCompressedGrown(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "mbr", Format: "raw", Size: 512 << 20, SeparateBoot: true})
	out := filepath.Join(t.TempDir(), "out.qcow2")
	res, err := Run(context.Background(), Job{Input: d.Path, Output: out, Format: image.FormatQcow2, Compression: "zstd", DiskSize: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if res.VirtualSize != 1<<30 || testtool.QemuVirtualSize(t, out) != 1<<30 {
		t.Errorf("virtual size %d, want 1 GiB", res.VirtualSize)
	}
	if ct := testtool.QemuCompressionType(t, out); ct != "zstd" {
		t.Errorf("compression type %q", ct)
	}
	testtool.QemuCheck(t, out)
	raw := toRaw(t, out, "qcow2")
	fsckAll(t, raw, d)
	if found := testtool.FindInFile(t, raw, d.Secret); len(found) > 0 {
		t.Error("the secret survived in the output")
	}
}

func TestRunWholeDiskFilesystem(t *testing.T) {
	d := buildGuest(t, guestgen.Options{Table: "none", Format: "raw", Size: 256 << 20})
	out := filepath.Join(t.TempDir(), "out.img")
	if _, err := Run(context.Background(), Job{Input: d.Path, Output: out}); err != nil {
		t.Fatal(err)
	}
	fsckAll(t, out, d)
	m := openGuest(t, out)
	if exists(t, m.Root, "/root/.bash_history") {
		t.Error("/root/.bash_history survived")
	}
}
