package cloudinit

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func ptr[T any](v T) *T { return &v }

// rockyConfig is the Rocky guide's 99-custom-defaults.cfg (cloud-init
// guide, chapter 5) as a Config.
func rockyConfig() *Config {
	return &Config{
		FileName: "99-custom-defaults.cfg",
		DefaultUser: &DefaultUser{
			Name:  "admin",
			Sudo:  []string{"ALL=(ALL) NOPASSWD:ALL"},
			Shell: "/bin/bash",
		},
		SSHPwauth: ptr(false),
		Packages:  []string{"htop", "vim-enhanced"},
	}
}

// rockyWant is what the Rocky guide's file holds, as parsed YAML.
var rockyWant = map[string]any{
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

func parseBack(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var got map[string]any
	if err := yaml.Unmarshal(b, &got); err != nil {
		t.Fatalf("rendered YAML does not parse: %v\n%s", err, b)
	}
	return got
}

func TestRenderRockyGoldenImage(t *testing.T) {
	c := rockyConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	b, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	want := Header + `system_info:
  default_user:
    name: admin
    sudo:
      - ALL=(ALL) NOPASSWD:ALL
    shell: /bin/bash
ssh_pwauth: false
packages:
  - htop
  - vim-enhanced
`
	if string(b) != want {
		t.Errorf("Render:\n%s\nwant:\n%s", b, want)
	}
	if got := parseBack(t, b); !reflect.DeepEqual(got, rockyWant) {
		t.Errorf("parsed back %#v\nwant %#v", got, rockyWant)
	}
	if w := c.Lint(); len(w) != 0 {
		t.Errorf("Lint of the guide's file: %q, want none", w)
	}
	if c.Path() != "/etc/cloud/cloud.cfg.d/99-custom-defaults.cfg" {
		t.Errorf("Path = %q", c.Path())
	}

	// The guide's tip, cloud_final_modules: [], in the same file.
	c.FinalModules = []string{}
	b, err = c.Render()
	if err != nil {
		t.Fatal(err)
	}
	got := parseBack(t, b)
	if fm, ok := got["cloud_final_modules"]; !ok || !reflect.DeepEqual(fm, []any{}) {
		t.Errorf("cloud_final_modules = %#v, want []", fm)
	}
	if !strings.Contains(string(b), "cloud_final_modules: []\n") {
		t.Errorf("Render does not write cloud_final_modules: []:\n%s", b)
	}
	w := c.Lint()
	if len(w) != 1 || !strings.Contains(w[0], "packages") || !strings.Contains(w[0], "would never install them") {
		t.Errorf("Lint = %q, want one warning that the packages would never be installed", w)
	}
}

// TestRenderPyYAML reads the drop-in with PyYAML, the YAML 1.1 parser
// cloud-init itself uses, so strings that YAML 1.1 would read as booleans,
// numbers, dates or null must come back as strings.
func TestRenderPyYAML(t *testing.T) {
	testtool.Need(t, "python3")
	tricky := []string{"yes", "No", "on", "OFF", "y", "010", "0x1F", "1:30", "1_000", "1.5", ".inf", "2024-01-02", "~", "null", "", "<<", "=", "true", "@scope/pkg", "a: b", "#x", "- x"}
	c := rockyConfig()
	c.Packages = tricky
	c.DefaultUser.Groups = []string{"wheel", "adm"}
	c.DefaultUser.LockPasswd = ptr(true)
	c.DisableRoot = ptr(true)
	c.DatasourceList = []string{"NoCloud", "ConfigDrive", "None"}
	c.InitModules = []string{"users_groups", "ssh", "set_passwords"}
	c.ExtraYAML = "manage_etc_hosts: localhost\nntp:\n  enabled: yes\n"
	b, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	// Debian's interpreter first: .ci/run installs its python3-yaml; a
	// python3 earlier on PATH (pyenv, venv) may lack PyYAML.
	py := "python3"
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		py = "/usr/bin/python3"
	}
	cmd := exec.Command(py, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))")
	cmd.Stdin = strings.NewReader(string(b))
	out, err := cmd.CombinedOutput()
	if err != nil {
		if testtool.InCI() {
			t.Fatalf("python3 with PyYAML (Debian python3-yaml) is needed: %v\n%s", err, out)
		}
		t.Skipf("python3 PyYAML unavailable: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("PyYAML output: %v\n%s", err, out)
	}
	pk, _ := got["packages"].([]any)
	if len(pk) != len(tricky) {
		t.Fatalf("PyYAML read packages %#v from\n%s", got["packages"], b)
	}
	for i, s := range tricky {
		if pk[i] != s {
			t.Errorf("PyYAML reads package %q as %#v (%T)", s, pk[i], pk[i])
		}
	}
	du := got["system_info"].(map[string]any)["default_user"].(map[string]any)
	if du["lock_passwd"] != true || got["disable_root"] != true || got["ssh_pwauth"] != false {
		t.Errorf("booleans: lock_passwd %#v disable_root %#v ssh_pwauth %#v", du["lock_passwd"], got["disable_root"], got["ssh_pwauth"])
	}
	if ntp := got["ntp"].(map[string]any); ntp["enabled"] != true {
		t.Errorf("extra YAML's yes read as %#v, want true (YAML 1.1)", ntp["enabled"])
	}
	if !reflect.DeepEqual(got["datasource_list"], []any{"NoCloud", "ConfigDrive", "None"}) {
		t.Errorf("datasource_list = %#v", got["datasource_list"])
	}
}

func TestRenderMergesExtraYAML(t *testing.T) {
	c := &Config{
		DefaultUser:    &DefaultUser{Name: "admin", Groups: []string{"wheel"}},
		DatasourceList: nil,
		Packages:       []string{"htop"},
		ExtraYAML: `# site defaults
system_info:
  distro: rhel
  default_user:
    name: cloud-user
    gecos: Cloud User
packages: [curl]
datasource_list:
  - NoCloud
  - None
runcmd:
  - [sh, -c, echo hi]
`,
	}
	b, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	want := Header + `# site defaults
system_info:
  default_user:
    name: admin
    groups:
      - wheel
    gecos: Cloud User
  distro: rhel
packages:
  - htop
datasource_list: [NoCloud, None]
runcmd:
  - [sh, -c, echo hi]
`
	if string(b) != want {
		t.Errorf("Render:\n%s\nwant:\n%s", b, want)
	}
	b2, _ := c.Render()
	if string(b2) != string(b) {
		t.Errorf("Render is not deterministic")
	}
}

func TestRenderModuleLists(t *testing.T) {
	c := &Config{
		InitModules:    nil,
		ConfigModules:  []string{},
		FinalModules:   []string{"scripts_user", "final_message"},
		DatasourceList: []string{"NoCloud", "ConfigDrive", "OpenStack", "Ec2", "Azure", "GCE", "Oracle", "Hetzner", "DigitalOcean", "Vultr", "Scaleway", "None"},
	}
	b, err := c.Render()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "cloud_init_modules") {
		t.Errorf("nil InitModules rendered:\n%s", s)
	}
	if !strings.Contains(s, "cloud_config_modules: []\n") {
		t.Errorf("empty ConfigModules not rendered as []:\n%s", s)
	}
	if !strings.Contains(s, "cloud_final_modules:\n  - scripts_user\n  - final_message\n") {
		t.Errorf("FinalModules:\n%s", s)
	}
	// ds-identify reads datasource_list from a single line.
	line := "datasource_list: [NoCloud, ConfigDrive, OpenStack, Ec2, Azure, GCE, Oracle, Hetzner, DigitalOcean, Vultr, Scaleway, None]\n"
	if !strings.Contains(s, line) {
		t.Errorf("datasource_list not on one line:\n%s", s)
	}
	empty, err := (&Config{}).Render()
	if err != nil || string(empty) != Header {
		t.Errorf("empty config renders %q, %v; want only the header", empty, err)
	}
}
