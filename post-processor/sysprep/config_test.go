package sysprep

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/zclconf/go-cty/cty"
)

// hclValue decodes the body of a `post-processor "sysprep" { ... }` block
// the way Packer core does: against the plugin's HCL2 spec, into the
// cty.Value it sends to Configure.
func hclValue(t *testing.T, body string) cty.Value {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(body), "test.pkr.hcl")
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	var p PostProcessor
	v, diags := hcldec.Decode(f.Body, p.ConfigSpec(), &hcl.EvalContext{})
	if diags.HasErrors() {
		t.Fatalf("decode: %v", diags)
	}
	return v
}

func configure(t *testing.T, body string) (*PostProcessor, error) {
	t.Helper()
	var p PostProcessor
	err := p.Configure(hclValue(t, body))
	return &p, err
}

func TestConfigureHCLModuleListsKeepEmptyVersusUnset(t *testing.T) {
	p, err := configure(t, `
cloud_init {
  cloud_final_modules  = []
  cloud_config_modules = ["runcmd"]
}`)
	if err != nil {
		t.Fatal(err)
	}
	ci := p.plan.CloudInit
	if ci == nil {
		t.Fatal("cloud_init block lost")
	}
	if ci.FinalModules == nil || len(ci.FinalModules) != 0 {
		t.Errorf("cloud_final_modules = [] arrived as %#v, want an empty non-nil slice", ci.FinalModules)
	}
	if ci.InitModules != nil {
		t.Errorf("unset cloud_init_modules arrived as %#v, want nil", ci.InitModules)
	}
	if len(ci.ConfigModules) != 1 || ci.ConfigModules[0] != "runcmd" {
		t.Errorf("cloud_config_modules = %#v", ci.ConfigModules)
	}
	if ci.FileName != "99-packer-sysprep.cfg" {
		t.Errorf("default file name %q", ci.FileName)
	}
}

func TestConfigureRockyGoldenImageDefaults(t *testing.T) {
	p, err := configure(t, `
hostname      = "golden"
timezone      = "Europe/London"
root_password = "s3cr{{et"
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
cloud_init_clean {
  seed = false
}`)
	if err != nil {
		t.Fatal(err)
	}
	ci := p.plan.CloudInit
	if ci.FileName != "99-custom-defaults.cfg" || ci.DefaultUser == nil || ci.DefaultUser.Name != "admin" ||
		ci.DefaultUser.Shell != "/bin/bash" || len(ci.DefaultUser.Sudo) != 1 || ci.DefaultUser.Sudo[0] != "ALL=(ALL) NOPASSWD:ALL" {
		t.Errorf("cloud_init = %+v, user %+v", ci, ci.DefaultUser)
	}
	if ci.SSHPwauth == nil || *ci.SSHPwauth {
		t.Errorf("ssh_pwauth = %v, want false", ci.SSHPwauth)
	}
	if ci.DisableRoot != nil || ci.DefaultUser.LockPasswd != nil {
		t.Error("unset booleans must stay nil")
	}
	if strings.Join(ci.Packages, ",") != "htop,vim-enhanced" {
		t.Errorf("packages = %v", ci.Packages)
	}
	var got []string
	for _, s := range p.plan.Customize {
		got = append(got, s.Op+"="+s.Arg)
	}
	// The password is not a template: "{{" survives.
	want := "hostname=golden timezone=Europe/London root-password=password:s3cr{{et"
	if strings.Join(got, " ") != want {
		t.Errorf("customize steps = %q, want %q", strings.Join(got, " "), want)
	}
	cl := p.plan.CloudInitClean
	if !cl.Logs || cl.Seed || !cl.MachineID {
		t.Errorf("cloud_init_clean = %+v, want logs and machine_id on, seed off", cl)
	}
	if f := packersdk.LogSecretFilter.FilterString("pw is s3cr{{et"); f != "pw is <sensitive>" {
		t.Errorf("root_password not registered as a secret: %q", f)
	}
}

func TestConfigureDefaults(t *testing.T) {
	p, err := configure(t, ``)
	if err != nil {
		t.Fatal(err)
	}
	if p.plan.Operations != nil || p.plan.CloudInit != nil || len(p.plan.Customize) != 0 {
		t.Errorf("empty config gave plan %+v", p.plan)
	}
	cl := p.plan.CloudInitClean
	if !cl.Logs || !cl.Seed || !cl.MachineID || cl.Configs != nil {
		t.Errorf("cloud_init_clean defaults = %+v", cl)
	}
	if p.diskSize != 0 || len(p.warnings) != 0 {
		t.Errorf("disk size %d, warnings %q", p.diskSize, p.warnings)
	}
}

func TestConfigureReportsEveryProblemAtOnce(t *testing.T) {
	_, err := configure(t, `
format             = "vmdk"
compression        = "lzma"
disk_size          = "ten gigs"
operations         = ["defaults", "-no-such-op"]
machine_id         = "random"
root_password      = "first-password-123"
root_password_hash = "$6$x$y"
cloud_init {
  file_name = "bad/name"
}
cloud_init_clean {
  configs = ["everything"]
}
customize {
  arg = "/etc/motd:hi"
}
customize {
  op  = "frobnicate"
  arg = "x"
}`)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		`format "vmdk"`, `compression "lzma"`, `disk_size`, `no-such-op`, `machine_id "random"`,
		`root_password and root_password_hash`, `customize block 1: op is required`, `--frobnicate`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if me, ok := err.(*packersdk.MultiError); !ok || len(me.Errors) < 8 {
		t.Errorf("want a MultiError with every problem, got %T: %v", err, err)
	}
}

func TestConfigurePlanErrorsAfterTranslation(t *testing.T) {
	_, err := configure(t, `
machine_id = "random"
cloud_init {
  file_name = "bad/name"
}
cloud_init_clean {
  configs = ["everything"]
}`)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`machine_id "random"`, `bad/name`, `everything`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestConfigureCompressionNeedsQcow2(t *testing.T) {
	if _, err := configure(t, `
format      = "raw"
compression = "zstd"`); err == nil || !strings.Contains(err.Error(), "qcow2") {
		t.Errorf("raw + zstd: %v", err)
	}
	p, err := configure(t, `
format      = "qcow2"
compression = "zstd"
disk_size   = "20G"`)
	if err != nil {
		t.Fatal(err)
	}
	if p.diskSize != 20<<30 {
		t.Errorf("disk size %d", p.diskSize)
	}
}

func TestConfigureOperationsCommaLists(t *testing.T) {
	p, err := configure(t, `operations = ["machine-id,logfiles", "customize", "-logfiles"]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.plan.Operations, ","); got != "customize,machine-id" {
		t.Errorf("operations resolved to %q", got)
	}
}

func TestConfigureWarnsWhenCustomizeIsNotRun(t *testing.T) {
	p, err := configure(t, `
operations = ["machine-id"]
hostname   = "x"`)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.warnings) != 1 || !strings.Contains(p.warnings[0], `"customize" operation`) {
		t.Errorf("warnings = %q", p.warnings)
	}
}

func TestConfigureUnknownKeyFails(t *testing.T) {
	var p PostProcessor
	err := p.Configure(map[string]interface{}{"hostname": "x", "no_such_option": true})
	if err == nil || !strings.Contains(err.Error(), "no_such_option") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestRootPasswordSelectors(t *testing.T) {
	for _, tc := range []struct {
		c       Config
		want    string
		wantErr string
	}{
		{c: Config{}, want: ""},
		{c: Config{RootPassword: "pw:with:colons"}, want: "password:pw:with:colons"},
		{c: Config{RootPasswordHash: "$6$salt$hash"}, want: hashSelectorPrefix + "$6$salt$hash"},
		{c: Config{RootPasswordLocked: true}, want: "locked"},
		{c: Config{RootPassword: "pw", RootPasswordLocked: true}, want: "locked:password:pw"},
		{c: Config{RootPasswordDisabled: true}, want: "disabled"},
		{c: Config{RootPasswordDisabled: true, RootPassword: "pw"}, wantErr: "root_password_disabled"},
		{c: Config{RootPassword: "pw", RootPasswordHash: "$6$a$b"}, wantErr: "set only one"},
		{c: Config{RootPasswordHash: "plaintext"}, wantErr: "crypt(3)"},
		{c: Config{RootPasswordHash: "$6$a:b$c"}, wantErr: "crypt(3)"},
	} {
		got, err := tc.c.rootPasswordSelector()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%+v: error %v, want %q", tc.c, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%+v: got %q, %v; want %q", tc.c, got, err, tc.want)
		}
	}
}

func TestIsValidateCommand(t *testing.T) {
	for cmd, want := range map[string]bool{
		"packer\x00validate\x00.\x00":                      true,
		"/usr/bin/packer\x00-machine-readable\x00validate": true,
		"packer\x00build\x00.\x00":                         false,
		"packer\x00build\x00validate.pkr.hcl\x00":          false,
		"packer\x00": false,
	} {
		if got := isValidateCommand([]byte(cmd)); got != want {
			t.Errorf("isValidateCommand(%q) = %v", cmd, got)
		}
	}
}

func TestConfigureCustomizePasswordsAreSecrets(t *testing.T) {
	_, err := configure(t, `
operations = ["customize"]
customize {
  op  = "password"
  arg = "alice:locked:password:alice-Secret-77"
}
customize {
  op  = "write"
  arg = "/etc/motd:{{ not a template }}"
}`)
	if err != nil {
		t.Fatal(err)
	}
	if f := packersdk.LogSecretFilter.FilterString("x alice-Secret-77 y"); f != "x <sensitive> y" {
		t.Errorf("customize password not registered as a secret: %q", f)
	}
}

func TestConfigureRootPasswordModesPassPlanValidation(t *testing.T) {
	for body, want := range map[string]string{
		`root_password_locked = true`:                                  "locked",
		`root_password_disabled = true`:                                "disabled",
		"root_password = \"pw-Locked-1\"\nroot_password_locked = true": "locked:password:pw-Locked-1",
	} {
		p, err := configure(t, body)
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if n := len(p.plan.Customize); n != 1 || p.plan.Customize[0].Op != "root-password" || p.plan.Customize[0].Arg != want {
			t.Errorf("%s: steps %+v, want root-password %q", body, p.plan.Customize, want)
		}
	}
}

func TestConfigureAcceptsPreHashedRootPassword(t *testing.T) {
	const h = "$6$abcdefgh$9QhAjXGnXLyZKBBq.yUIGdDG1Y6HmAZdNK3S4zVN2fYw3mFZ3uO1mM1a3zBGkkUwOBWyXk0ZYwZ6Py0hJj0Y7."
	p, err := configure(t, "root_password_hash = \""+h+"\"\n")
	if err != nil {
		t.Fatalf("Configure with root_password_hash: %v", err)
	}
	var got string
	for _, s := range p.plan.Customize {
		if s.Op == "root-password" {
			got = s.Arg
		}
	}
	if got != "hash:"+h {
		t.Fatalf("root-password step %q, want hash:%s", got, h)
	}
}
