package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
)

func TestFlagsToJob(t *testing.T) {
	yaml := filepath.Join(t.TempDir(), "ci.yaml")
	if err := os.WriteFile(yaml, []byte("ssh_pwauth: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := parse([]string{
		"-a", "in.qcow2", "--output=out.qcow2", "--format", "qcow2", "--compress=zstd", "--disk-size", "20G",
		"--hostname", "web01", "--write", "/etc/motd:hi:there", "--timezone=Europe/London",
		"--root-password", "password:pw", "--password", "debian:random", "--password-crypto", "sha512",
		"--mkdir", "/srv/x", "--delete", "/etc/junk", "--scrub", "/etc/secret", "--chmod", "0600:/etc/x",
		"--chown", "0:0:/etc/x", "--link", "/a:/b", "--move", "/c:/d", "--copy", "/e:/f", "--copy-in", "/tmp:/srv",
		"--touch", "/etc/t", "--truncate", "/etc/u", "--truncate-recursive", "/var/v", "--append-line", "/etc/w:line",
		"--firstboot", "/tmp/fb.sh", "--firstboot-command", "echo hi", "--selinux-relabel",
		"--ssh-inject", "debian:string:ssh-ed25519 AAAA k", "--add-user", "deploy:sudo",
		"--upload", "/tmp/x:/etc/x",
		"--machine-id", "uninitialized",
		"--cloud-init-config", yaml, "--cloud-init-file", "90-golden.cfg",
		"--cloud-init-clean-logs=false", "--cloud-init-clean-seed=0", "--cloud-init-clean-machine-id",
		"--cloud-init-clean-configs", "network,ssh_config",
		"--operations", "defaults,-ssh-hostkeys", "--operations", "user-account",
		"--keep-user-accounts", "debian,ops", "--report", "r.json", "-qv",
	})
	if err != nil {
		t.Fatal(err)
	}
	j, err := buildJob(o)
	if err != nil {
		t.Fatal(err)
	}
	if j.Input != "in.qcow2" || j.Output != "out.qcow2" || j.Format != image.FormatQcow2 || j.Compression != "zstd" || j.DiskSize != 20<<30 || j.DryRun {
		t.Errorf("job: %+v", j)
	}
	want := []customize.Step{
		{Op: "hostname", Arg: "web01"}, {Op: "write", Arg: "/etc/motd:hi:there"}, {Op: "timezone", Arg: "Europe/London"},
		{Op: "root-password", Arg: "password:pw"}, {Op: "password", Arg: "debian:random"}, {Op: "password-crypto", Arg: "sha512"},
		{Op: "mkdir", Arg: "/srv/x"}, {Op: "delete", Arg: "/etc/junk"}, {Op: "scrub", Arg: "/etc/secret"},
		{Op: "chmod", Arg: "0600:/etc/x"}, {Op: "chown", Arg: "0:0:/etc/x"}, {Op: "link", Arg: "/a:/b"},
		{Op: "move", Arg: "/c:/d"}, {Op: "copy", Arg: "/e:/f"}, {Op: "copy-in", Arg: "/tmp:/srv"},
		{Op: "touch", Arg: "/etc/t"}, {Op: "truncate", Arg: "/etc/u"}, {Op: "truncate-recursive", Arg: "/var/v"},
		{Op: "append-line", Arg: "/etc/w:line"}, {Op: "firstboot", Arg: "/tmp/fb.sh"},
		{Op: "firstboot-command", Arg: "echo hi"}, {Op: "selinux-relabel", Arg: ""},
		{Op: "ssh-inject", Arg: "debian:string:ssh-ed25519 AAAA k"}, {Op: "add-user", Arg: "deploy:sudo"},
		{Op: "upload", Arg: "/tmp/x:/etc/x"},
	}
	p := j.Plan
	if !reflect.DeepEqual(p.Customize, want) {
		t.Errorf("customize steps:\n got %v\nwant %v", p.Customize, want)
	}
	if p.MachineID != sysprep.MachineIDUninitialized {
		t.Errorf("machine id %q", p.MachineID)
	}
	if p.CloudInit == nil || p.CloudInit.ExtraYAML != "ssh_pwauth: false\n" || p.CloudInit.FileName != "90-golden.cfg" {
		t.Errorf("cloud-init config: %+v", p.CloudInit)
	}
	wantClean := cloudinit.CleanOptions{Logs: false, Seed: false, MachineID: true, Configs: []string{"network", "ssh_config"}}
	if !reflect.DeepEqual(p.CloudInitClean, wantClean) {
		t.Errorf("clean: %+v", p.CloudInitClean)
	}
	if !reflect.DeepEqual(p.KeepUserAccounts, []string{"debian", "ops"}) {
		t.Errorf("keep: %v", p.KeepUserAccounts)
	}
	defaults, _ := sysprep.ResolveOperations(nil)
	if len(p.Operations) != len(defaults) || contains(p.Operations, "ssh-hostkeys") || !contains(p.Operations, "user-account") {
		t.Errorf("operations: %v", p.Operations)
	}
	if !o.quiet || !o.verbose || o.report != "r.json" {
		t.Errorf("options: quiet %v verbose %v report %q", o.quiet, o.verbose, o.report)
	}
}

func TestFlagsDefaults(t *testing.T) {
	o, err := parse([]string{"-a", "in.img", "-o", "out.img"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := buildJob(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(j.Plan, sysprep.DefaultPlan()) || j.Format != "" || j.Compression != "" || j.DiskSize != 0 {
		t.Errorf("defaults: job %+v plan %+v", j, j.Plan)
	}
}

func TestFlagsEnable(t *testing.T) {
	o, err := parse([]string{"-a", "i", "-o", "o", "--enable", "logfiles,bash-history", "--enable=tmp-files"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := buildJob(o)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bash-history", "logfiles", "tmp-files"}; !reflect.DeepEqual(j.Plan.Operations, want) {
		t.Errorf("--enable: %v, want %v", j.Plan.Operations, want)
	}
}

func TestFlagsUsageErrors(t *testing.T) {
	listYAML := filepath.Join(t.TempDir(), "list.yaml")
	if err := os.WriteFile(listYAML, []byte("- a\n- b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "out"}, "no input image"},
		{[]string{"-a", "in"}, "no output image"},
		{[]string{"-a", "in", "-o", "out", "--format", "vmdk"}, `--format "vmdk"`},
		{[]string{"-a", "in", "-o", "out", "--compress", "lz4"}, `--compress "lz4"`},
		{[]string{"-a", "in", "-o", "out", "--format", "raw", "--compress", "zstd"}, "needs --format qcow2"},
		{[]string{"-a", "in", "-o", "out", "--disk-size", "12Q"}, "bad size"},
		{[]string{"-a", "in", "-o", "out", "--operations", "logfile"}, `did you mean "logfiles"`},
		{[]string{"-a", "in", "-o", "out", "--operations", "defaults,-bash-histroy"}, `did you mean "bash-history"`},
		{[]string{"-a", "in", "-o", "out", "--enable", "-logfiles"}, "names only"},
		{[]string{"-a", "in", "-o", "out", "--enable", "logfiles", "--operations", "all"}, "cannot be mixed"},
		{[]string{"-a", "in", "-o", "out", "--hostnme", "x"}, "did you mean --hostname"},
		{[]string{"-a", "in", "-o", "out", "--hostname"}, "needs a value"},
		{[]string{"-a", "in", "-o", "out", "--dry-run=yes"}, "takes no value"},
		{[]string{"-a", "in", "-o", "out", "--cloud-init-clean-logs=maybe"}, "want true or false"},
		{[]string{"-a", "in", "-o", "out", "--cloud-init-config", "/nonexistent.yaml"}, "/nonexistent.yaml: no such file"},
		{[]string{"-a", "in", "-o", "out", "--cloud-init-file", "x.cfg"}, "--cloud-init-config, which is missing"},
		{[]string{"-a", "in", "-o", "out", "--cloud-init-config", listYAML}, "--cloud-init-config " + listYAML + ": "},
		{[]string{"-a", "in", "-o", "out", "--keep-user-accounts", "x"}, "user-account"},
		{[]string{"-a", "in", "-o", "out", "--machine-id", "random"}, "--machine-id"},
		{[]string{"-a", "in", "-a", "in2", "-o", "out"}, "given twice"},
		{[]string{"-a", "in", "-o", "out", "stray"}, `unexpected argument "stray"`},
		{[]string{"-a", "in", "-o", "out", "--chmod", "99x:/etc/x"}, "chmod"},
		{[]string{"-a", "in", "-o", "out", "--root-password", "passwd:x"}, "selector"},
		{[]string{"-a", "in", "-o", "out", "--run-command", "apt-get update"}, "use --firstboot-command"},
		{[]string{"-d", "vm1", "-o", "out"}, "unknown option -d"},
		{[]string{"-a", "in", "-o", "out", "-qz"}, "unknown option -z"},
	} {
		o, err := parse(c.args)
		if err == nil {
			_, err = buildJob(o)
		}
		if err == nil {
			t.Errorf("%q: accepted", c.args)
			continue
		}
		if _, ok := err.(*usageError); !ok {
			t.Errorf("%q: %T is not a usage error: %v", c.args, err, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %q does not say %q", c.args, err, c.want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
