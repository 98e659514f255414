package sysprep

import (
	"context"
	"encoding/json"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/ext4"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

const accRootPassword = "Golden-Image-Pw-2026"

// goldenTemplate is the Rocky guide's golden image (chapter 5,
// 99-custom-defaults.cfg) as a Packer build: the core file builder copies
// the guest, the sysprep post-processor generalizes it.
const goldenTemplate = `
packer {
  required_plugins {
    sysprep = {
      source  = "github.com/packer-sysprep/sysprep"
      version = ">= 0.1.0"
    }
  }
}

variable "root_password" {
  type      = string
  sensitive = true
}

source "file" "golden" {
  source = "guest/debian.qcow2"
  target = "work/debian.qcow2"
}

build {
  sources = ["source.file.golden"]

  post-processor "sysprep" {
    output              = "out/{{.BuildName}}-golden.qcow2"
    report              = "out/{{.BuildName}}-report.json"
    keep_input_artifact = true
    hostname            = "golden"
    timezone            = "Europe/London"
    root_password       = var.root_password

    cloud_init {
      file_name = "99-custom-defaults.cfg"
      default_user {
        name  = "admin"
        sudo  = ["ALL=(ALL) NOPASSWD:ALL"]
        shell = "/bin/bash"
      }
      ssh_pwauth = false
      packages   = ["htop", "vim-enhanced"]
    }
  }
}
`

// wantCloudCfg is 99-custom-defaults.cfg as YAML values.
var wantCloudCfg = map[string]any{
	"system_info": map[string]any{
		"default_user": map[string]any{
			"name":  "admin",
			"sudo":  []any{"ALL=(ALL) NOPASSWD:ALL"},
			"shell": "/bin/bash",
		},
	},
	"ssh_pwauth": false,
	"packages":   []any{"htop", "vim-enhanced"},
}

// expectedRemovals are guest paths (all holding the planted secret) that the
// default operations plus cloud-init clean must remove.
var expectedRemovals = []string{
	"/root/.bash_history",
	"/home/debian/.bash_history",
	"/root/.ssh/authorized_keys",
	"/home/debian/.ssh/authorized_keys",
	"/etc/ssh/ssh_host_ed25519_key",
	"/etc/ssh/ssh_host_rsa_key",
	"/var/lib/dhcp/dhclient.eth0.leases",
	"/var/log/cloud-init.log",
	"/var/lib/cloud/instances/i-1/user-data.txt",
	"/var/lib/cloud/seed/nocloud/user-data",
	"/var/spool/cron/crontabs/debian",
	"/var/mail/debian",
	"/tmp/build.log",
	"/var/tmp/cloud-init/tmp.sh",
	"/etc/hosts.bak",
	"/var/cache/apt/archives/curl_7.88.1-10+deb12u8_amd64.deb",
}

// reportAliases: the report names paths as resolved in the guest
// (/var/mail is a symlink to spool/mail on Debian).
var reportAliases = map[string]string{"/var/mail/debian": "/var/spool/mail/debian"}

func TestAccPackerBuildFileBuilderGoldenImage(t *testing.T) {
	testtool.Need(t, "packer", "qemu-img", "e2fsck", "sgdisk", "mkfs.ext4")
	dir := t.TempDir()
	guestDir := filepath.Join(dir, "guest")
	if err := os.Mkdir(guestDir, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := "PlantedSecret" + strings.Repeat("x7", 8)
	disk, err := guestgen.Build(context.Background(), guestgen.Options{
		Dir: guestDir, Name: "debian.qcow2", Table: "gpt", Format: "qcow2", Size: 512 << 20, Secret: secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	inputSum := testtool.SHA256File(t, disk.Path)
	writeTemplate(t, dir, "golden.pkr.hcl", goldenTemplate)

	res := mustPacker(t, dir, "build", "-color=false", "-var", "root_password="+accRootPassword, ".")

	// The UI: one line per operation with counts, and the total time.
	for _, want := range []string{"logfiles:", "machine-id:", "customize:", "cloud-init-config:", "Wrote out/golden-golden.qcow2"} {
		if !strings.Contains(res.out, want) {
			t.Errorf("packer output lacks %q:\n%s", want, res.out)
		}
	}
	if strings.Contains(res.out, accRootPassword) || strings.Contains(res.log, accRootPassword) {
		t.Error("the root password appears in packer's output or log")
	}

	// The input is unchanged: the guest, and the file builder's copy (kept).
	if got := testtool.SHA256File(t, disk.Path); got != inputSum {
		t.Error("the source guest image changed")
	}
	if got := testtool.SHA256File(t, filepath.Join(dir, "work", "debian.qcow2")); got != inputSum {
		t.Error("the input artifact (file builder target) is not a byte-exact copy of the guest any more")
	}

	out := filepath.Join(dir, "out", "golden-golden.qcow2")
	testtool.QemuCheck(t, out)
	var report engine.Result
	b, err := os.ReadFile(filepath.Join(dir, "out", "golden-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatalf("report: %v\n%s", err, b)
	}
	removed := map[string]bool{}
	for _, op := range report.Operations {
		for _, p := range op.Removed {
			removed[p] = true
		}
	}
	for _, p := range expectedRemovals {
		if alias, ok := reportAliases[p]; ok {
			p = alias
		}
		if !removed[p] && !removedUnder(removed, p) {
			t.Errorf("the report does not list %s as removed", p)
		}
	}

	root := disk.Root()
	t.Run("our reader", func(t *testing.T) { checkWithOurReader(t, out, root, report) })

	raw := filepath.Join(dir, "out.raw")
	testtool.Run(t, "qemu-img", "convert", "-O", "raw", out, raw)
	if len(testtool.FindInFile(t, raw, secret)) > 0 {
		t.Errorf("the planted secret %q survives somewhere in the output image", secret)
	}
	testtool.Fsck(t, "ext4", testtool.ExtractRange(t, raw, root.Off, root.Size))

	t.Run("kernel mount", func(t *testing.T) {
		mnt := testtool.Mount(t, "ext4", raw, root.Off, root.Size)
		for p := range removed {
			if _, err := os.Lstat(filepath.Join(mnt, p)); err == nil {
				t.Errorf("%s: listed as removed but present", p)
			}
		}
		for _, p := range expectedRemovals {
			if _, err := os.Lstat(filepath.Join(mnt, p)); err == nil {
				t.Errorf("%s: still present", p)
			}
		}
		read := func(p string) []byte {
			b, err := os.ReadFile(filepath.Join(mnt, p))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		st, err := os.Stat(filepath.Join(mnt, "etc/cloud/cloud.cfg.d/99-custom-defaults.cfg"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("99-custom-defaults.cfg mode %v, want 0644", st.Mode())
		}
		checkGuestFiles(t, read, func(p string) (string, error) { return os.Readlink(filepath.Join(mnt, p)) })
	})
}

// removedUnder reports whether an ancestor directory of p was removed.
func removedUnder(removed map[string]bool, p string) bool {
	for d := filepath.Dir(p); d != "/" && d != "."; d = filepath.Dir(d) {
		if removed[d] {
			return true
		}
	}
	return false
}

// checkGuestFiles asserts the edits, whichever reader serves the files.
func checkGuestFiles(t *testing.T, read func(string) []byte, readlink func(string) (string, error)) {
	t.Helper()
	if got := string(read("etc/hostname")); got != "golden\n" {
		t.Errorf("/etc/hostname = %q", got)
	}
	if got, err := readlink("etc/localtime"); err != nil || got != "/usr/share/zoneinfo/Europe/London" {
		t.Errorf("/etc/localtime -> %q, %v", got, err)
	}
	if got := read("etc/machine-id"); len(got) != 0 {
		t.Errorf("/etc/machine-id = %q, want empty", got)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(read("etc/cloud/cloud.cfg.d/99-custom-defaults.cfg"), &cfg); err != nil {
		t.Fatalf("99-custom-defaults.cfg: %v", err)
	}
	if !reflect.DeepEqual(cfg, wantCloudCfg) {
		t.Errorf("99-custom-defaults.cfg parses to\n%#v\nwant\n%#v", cfg, wantCloudCfg)
	}
	var rootHash string
	for _, line := range strings.Split(string(read("etc/shadow")), "\n") {
		if f := strings.Split(line, ":"); len(f) > 2 && f[0] == "root" {
			rootHash = f[1]
		}
	}
	// login.defs says ENCRYPT_METHOD YESCRYPT (Debian 12).
	if !strings.HasPrefix(rootHash, "$y$") {
		t.Errorf("root's hash %q: want yescrypt ($y$) as login.defs says", rootHash)
	} else if ok, err := crypt.Verify(accRootPassword, rootHash); err != nil || !ok {
		t.Errorf("root's hash does not verify the password: %v, %v", ok, err)
	}
}

// checkWithOurReader reads the output through the project's own stack:
// image.Open (qcow2), volume.List (GPT) and the ext4 engine, read-only.
func checkWithOurReader(t *testing.T, out string, root guestgen.Filesystem, report engine.Result) {
	d, err := image.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	vols, err := volume.List(d, filepath.Base(out))
	if err != nil {
		t.Fatal(err)
	}
	var rootFS *ext4.FS
	for _, v := range vols {
		if v.Offset == root.Off {
			if rootFS, err = ext4.Open(v.Image, fs.OpenOptions{ReadOnly: true, Name: v.Name}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rootFS == nil {
		t.Fatalf("no volume at offset %d among %d", root.Off, len(vols))
	}
	defer rootFS.Close()
	// The guest view resolves symlinked directories (/var/mail -> spool/mail).
	g := guest.NewRoot(rootFS)
	for _, op := range report.Operations {
		for _, p := range op.Removed {
			if _, err := g.Lstat(p); err == nil {
				t.Errorf("%s: %s listed as removed but present", op.Name, p)
			} else if !isNotExist(err) {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
	for _, p := range expectedRemovals {
		if ok, err := fs.Exists(g, p); ok || err != nil {
			t.Errorf("%s: exists=%v err=%v, want removed", p, ok, err)
		}
	}
	read := func(p string) []byte {
		b, err := fs.ReadFile(g, "/"+p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	checkGuestFiles(t, read, func(p string) (string, error) { return g.Readlink("/" + p) })
}

func isNotExist(err error) bool {
	return errors.Is(err, iofs.ErrNotExist)
}

func TestAccPackerBuildArtificeMBRRawToZstdQcow2(t *testing.T) {
	testtool.Need(t, "packer", "qemu-img", "e2fsck", "sfdisk", "mkfs.ext4")
	dir := t.TempDir()
	guestDir := filepath.Join(dir, "guest")
	if err := os.Mkdir(guestDir, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := "ArtificeSecret" + strings.Repeat("q9", 8)
	disk, err := guestgen.Build(context.Background(), guestgen.Options{
		Dir: guestDir, Name: "debian.img", Table: "mbr", Format: "raw", Size: 256 << 20, Secret: secret,
		// An older policy: SHA-512 crypt instead of Debian 12's yescrypt.
		Tree: guestgen.Tree{"etc/login.defs": guestgen.Text("UMASK 022\nENCRYPT_METHOD SHA512\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	inputSum := testtool.SHA256File(t, disk.Path)
	writeTemplate(t, dir, "artifice.pkr.hcl", `
source "null" "existing" {
  communicator = "none"
}

build {
  sources = ["source.null.existing"]

  post-processors {
    post-processor "artifice" {
      files = ["guest/debian.img"]
    }
    post-processor "sysprep" {
      output              = "out/{{.InputName}}.{{.Format}}"
      format              = "qcow2"
      compression         = "zstd"
      disk_size           = "1G"
      keep_input_artifact = true
      operations          = ["defaults", "-ssh-userdir"]
      machine_id          = "uninitialized"
      root_password       = "Sha512-Policy-pw"
      cloud_init {
        cloud_final_modules = []
        datasource_list     = ["NoCloud", "None"]
        extra_yaml          = "manage_etc_hosts: true\n"
      }
    }
  }
}
`)
	res := mustPacker(t, dir, "build", "-color=false", ".")
	if !strings.Contains(res.out, "Wrote out/debian.qcow2") {
		t.Errorf("packer output:\n%s", res.out)
	}
	if testtool.SHA256File(t, disk.Path) != inputSum {
		t.Error("the artifice input changed")
	}
	out := filepath.Join(dir, "out", "debian.qcow2")
	testtool.QemuCheck(t, out)
	if got := testtool.QemuCompressionType(t, out); got != "zstd" {
		t.Errorf("compression type %q, want zstd", got)
	}
	if got := testtool.QemuVirtualSize(t, out); got != 1<<30 {
		t.Errorf("virtual size %d, want 1 GiB", got)
	}
	raw := filepath.Join(dir, "out.raw")
	testtool.Run(t, "qemu-img", "convert", "-O", "raw", out, raw)
	root := disk.Root()
	testtool.Fsck(t, "ext4", testtool.ExtractRange(t, raw, root.Off, root.Size))
	mnt := testtool.Mount(t, "ext4", raw, root.Off, root.Size)
	if b, err := os.ReadFile(filepath.Join(mnt, "etc/machine-id")); err != nil || string(b) != "uninitialized\n" {
		t.Errorf("/etc/machine-id = %q, %v", b, err)
	}
	// cloud_final_modules = [] crossed Packer's RPC as an empty list, not as
	// "unset"; the unset module lists are absent.
	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(mnt, "etc/cloud/cloud.cfg.d/99-packer-sysprep.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("99-packer-sysprep.cfg: %v\n%s", err, b)
	}
	want := map[string]any{
		"cloud_final_modules": []any{},
		"datasource_list":     []any{"NoCloud", "None"},
		"manage_etc_hosts":    true,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("99-packer-sysprep.cfg parses to %#v, want %#v\n%s", cfg, want, b)
	}
	shadow, err := os.ReadFile(filepath.Join(mnt, "etc/shadow"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(shadow), "\n") {
		if f := strings.Split(line, ":"); len(f) > 2 && f[0] == "root" {
			if ok, err := crypt.Verify("Sha512-Policy-pw", f[1]); !strings.HasPrefix(f[1], "$6$") || !ok || err != nil {
				t.Errorf("root's hash %q: want SHA-512 crypt ($6$) of the password as login.defs says (%v, %v)", f[1], ok, err)
			}
		}
	}
	// ssh-userdir was left out: authorized_keys stay; host keys go.
	if _, err := os.Stat(filepath.Join(mnt, "root/.ssh/authorized_keys")); err != nil {
		t.Errorf("-ssh-userdir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "etc/ssh/ssh_host_ed25519_key")); err == nil {
		t.Error("ssh host key survived")
	}
}

func TestAccPackerValidateReportsAllProblemsAtOnce(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "bad.pkr.hcl", `
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  post-processor "sysprep" {
    format             = "vmdk"
    compression        = "lzma"
    disk_size          = "huge"
    operations         = ["defaults", "-machine-idd"]
    root_password      = "pw-one-two-three"
    root_password_hash = "$6$salt$hash"
    cloud_init {
      file_name  = "custom.yaml"
      extra_yaml = "runcmd: [unclosed"
    }
    cloud_init_clean {
      configs = ["everything"]
    }
  }
}
`)
	r := runPacker(t, dir, "validate", ".")
	if r.code == 0 {
		t.Fatalf("packer validate accepted a bad template:\n%s", r.out)
	}
	for _, want := range []string{
		`format "vmdk"`, `compression "lzma"`, `disk_size`, `"machine-idd"`, `did you mean "machine-id"`,
		`root_password and root_password_hash`, `custom.yaml`, `extra YAML`, `everything`,
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("packer validate output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "pw-one-two-three") {
		t.Error("packer validate printed the root password")
	}
}

func TestAccPackerValidateWarnsAboutContradictions(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "lint.pkr.hcl", `
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  post-processor "sysprep" {
    cloud_init {
      packages            = ["htop"]
      cloud_final_modules = []
    }
  }
}
`)
	r := runPacker(t, dir, "validate", ".")
	if r.code != 0 {
		t.Fatalf("packer validate: exit %d\n%s", r.code, r.out)
	}
	for _, want := range []string{"Warning:", "cloud_final_modules: [] runs no final-stage module", "would never install them", "The configuration is valid."} {
		if !strings.Contains(r.out, want) {
			t.Errorf("packer validate output lacks %q:\n%s", want, r.out)
		}
	}
}

func TestAccPackerInitSeesInstalledRelease(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "init.pkr.hcl", `
packer {
  required_plugins {
    sysprep = {
      source  = "github.com/packer-sysprep/sysprep"
      version = ">= 0.1.0"
    }
  }
}
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  post-processor "sysprep" {
    dry_run = true
  }
}
`)
	// The installed build is a plain release version: init has nothing to
	// download (it would need GitHub otherwise).
	mustPacker(t, dir, "init", ".")
	r := mustPacker(t, dir, "plugins", "installed")
	if !strings.Contains(r.out, "github.com/packer-sysprep/sysprep/packer-plugin-sysprep_v0.1.0_x5.0_") {
		t.Errorf("packer plugins installed:\n%s", r.out)
	}
}
