package cloudinit

import (
	"strings"
	"testing"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIxfaCMwaYZtF/AIGfU+fDhQtrMz+dEuALmBm4Ou6u8n user@host" // made by ssh-keygen

func TestValidateAccepts(t *testing.T) {
	for _, c := range []*Config{
		{},
		rockyConfig(),
		{
			FileName:       "50_site.cfg",
			DefaultUser:    &DefaultUser{Name: "cloud-user", Groups: []string{"wheel", "systemd-journal"}, SSHAuthorizedKeys: []string{testKey, `from="10.0.0.0/8",no-pty ` + testKey}},
			DatasourceList: []string{"NoCloud", "None"},
			InitModules:    []string{"users-groups", "cc_ssh"},
			ExtraYAML:      "runcmd:\n  - [echo, hi]\ncloud_final_modules:\n  - [scripts_user, always]\nssh_pwauth: yes\n",
		},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", c, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name string
		c    Config
		want string // substring of the error
	}{
		{"file name without .cfg", Config{FileName: "99-x.yaml"}, "file name"},
		{"file name with a slash", Config{FileName: "../x.cfg"}, "file name"},
		{"hidden file name", Config{FileName: ".x.cfg"}, "file name"},
		{"user name upper case", Config{DefaultUser: &DefaultUser{Name: "Admin"}}, "default_user name"},
		{"user name too long", Config{DefaultUser: &DefaultUser{Name: strings.Repeat("a", 33)}}, "default_user name"},
		{"group name", Config{DefaultUser: &DefaultUser{Groups: []string{"wheel", "bad group"}}}, "groups"},
		{"relative shell", Config{DefaultUser: &DefaultUser{Shell: "bash"}}, "shell"},
		{"sudo newline", Config{DefaultUser: &DefaultUser{Sudo: []string{"ALL=(ALL) ALL\nroot ALL"}}}, "sudo"},
		{"ssh key garbage", Config{DefaultUser: &DefaultUser{SSHAuthorizedKeys: []string{"hello"}}}, "ssh_authorized_keys[0]"},
		{"ssh key type mismatch", Config{DefaultUser: &DefaultUser{SSHAuthorizedKeys: []string{strings.Replace(testKey, "ssh-ed25519", "ssh-rsa", 1)}}}, "not a ssh-rsa key"},
		{"ssh key bad base64", Config{DefaultUser: &DefaultUser{SSHAuthorizedKeys: []string{"ssh-ed25519 AAAA!!!"}}}, "base-64"},
		{"package with space", Config{Packages: []string{"vim enhanced"}}, "package"},
		{"package option", Config{Packages: []string{"--force"}}, "package"},
		{"datasource syntax", Config{DatasourceList: []string{"No Cloud"}}, "datasource_list"},
		{"module syntax", Config{FinalModules: []string{"scripts user"}}, "cloud_final_modules"},
		{"extra not YAML", Config{ExtraYAML: "a: b\nc: [d\n"}, "line"},
		{"extra not a mapping", Config{ExtraYAML: "- a\n- b\n"}, "line 1: the top level must be a mapping"},
		{"extra two documents", Config{ExtraYAML: "a: 1\n---\nb: 2\n"}, "second YAML document"},
		{"extra duplicate key", Config{ExtraYAML: "a: 1\nb: 2\na: 3\n"}, "line 3: key \"a\" repeats the one on line 1"},
		{"extra alias", Config{ExtraYAML: "a: &x [1]\nb: *x\n"}, "anchors"},
		{"extra merge key", Config{ExtraYAML: "a:\n  <<: {b: 1}\n"}, "merge keys"},
		{"extra packages scalar", Config{ExtraYAML: "\npackages: htop\n"}, "line 2: packages must be a list"},
		{"extra bool", Config{ExtraYAML: "ssh_pwauth: unchanged\n"}, "ssh_pwauth must be true or false"},
		{"extra module entry", Config{ExtraYAML: "cloud_final_modules:\n  - {a: b}\n"}, "line 2: cloud_final_modules entry"},
		{"extra datasource", Config{ExtraYAML: "datasource_list: [No-Cloud]\n"}, "datasource_list entry"},
	}
	for _, tc := range cases {
		err := tc.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if _, rerr := tc.c.Render(); strings.HasPrefix(tc.name, "extra") && tc.name != "extra packages scalar" && tc.name != "extra bool" &&
			tc.name != "extra module entry" && tc.name != "extra datasource" && rerr == nil {
			t.Errorf("%s: Render accepted ExtraYAML that Validate refuses", tc.name)
		}
	}
	// All problems are reported at once.
	c := Config{FileName: "x", Packages: []string{"a b"}, DefaultUser: &DefaultUser{Name: "A"}}
	if err := c.Validate(); err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("Validate = %v, want three problems", err)
	}
}

func TestLint(t *testing.T) {
	cases := []struct {
		name string
		c    Config
		want []string // one substring per expected warning, in order
	}{
		{"none", *rockyConfig(), nil},
		{"packages without final modules", Config{Packages: []string{"htop"}, FinalModules: []string{}}, []string{"packages set but cloud_final_modules: [] runs no final-stage module: cloud-init would never install them"}},
		{"package_upgrade without the module", Config{FinalModules: []string{"scripts_user"}, ExtraYAML: "package_upgrade: true\n"}, []string{"package_update/package_upgrade set but cloud_final_modules does not list package_update_upgrade_install"}},
		{"packages with the module", Config{Packages: []string{"htop"}, FinalModules: []string{"package-update-upgrade-install"}}, nil},
		{"runcmd without scripts_user", Config{FinalModules: []string{"final_message"}, ExtraYAML: "runcmd: [ls]\n"}, []string{"the commands would never run"}},
		{"runcmd without the runcmd module", Config{ConfigModules: []string{"ntp"}, ExtraYAML: "runcmd: [ls]\n"}, []string{"never be written out"}},
		{"default user without users_groups", Config{DefaultUser: &DefaultUser{Name: "admin"}, InitModules: []string{"ssh"}}, []string{"the default user would never be created"}},
		{"users without default", Config{DefaultUser: &DefaultUser{Name: "admin"}, ExtraYAML: "users:\n  - name: bob\n"}, []string{"does not list \"default\""}},
		{"users with default", Config{DefaultUser: &DefaultUser{Name: "admin"}, ExtraYAML: "users: [default, {name: bob}]\n"}, nil},
		{"keys without ssh", Config{InitModules: []string{"users_groups"}, ExtraYAML: "ssh_authorized_keys: [x]\n"}, []string{"they would be ignored"}},
		{"pwauth without set_passwords", Config{SSHPwauth: ptr(false), InitModules: []string{"ssh"}}, []string{"PasswordAuthentication would be left"}},
		{"disable_root false", Config{DisableRoot: ptr(false), ExtraYAML: "ssh_authorized_keys: [x]\n"}, []string{"root accepts every ssh_authorized_keys and the instance's SSH keys"}},
		{"pwauth with locked user", Config{SSHPwauth: ptr(true), DefaultUser: &DefaultUser{LockPasswd: ptr(true)}}, []string{"cannot log in with a password"}},
		{"unlocked user without password", Config{DefaultUser: &DefaultUser{LockPasswd: ptr(false)}}, []string{"no password is set"}},
		{"unlocked user with password", Config{DefaultUser: &DefaultUser{LockPasswd: ptr(false)}, ExtraYAML: "system_info:\n  default_user:\n    hashed_passwd: $6$x$y\n"}, nil},
		{"empty datasource list", Config{DatasourceList: []string{}}, []string{"ds-identify disables cloud-init"}},
		{"None not last", Config{DatasourceList: []string{"None", "NoCloud"}}, []string{"put None last"}},
		{"datasource case", Config{DatasourceList: []string{"nocloud"}}, []string{"case-sensitive: NoCloud"}},
		{"datasource unknown", Config{DatasourceList: []string{"Foo"}}, []string{"not a datasource cloud-init 26.2 knows"}},
		{"datasource twice", Config{DatasourceList: []string{"NoCloud", "NoCloud"}}, []string{"more than once"}},
		{"unknown module", Config{FinalModules: []string{"scripts_user", "scritps_vendor"}}, []string{"unknown module \"scritps_vendor\""}},
		{"module in two stages", Config{InitModules: []string{"runcmd"}, ConfigModules: []string{"runcmd"}}, []string{"listed in both cloud_init_modules and cloud_config_modules"}},
		{"early file name", Config{FileName: "10-site.cfg"}, []string{"sorts before 90"}},
		{"invalid config", Config{ExtraYAML: "a: [\n"}, nil},
	}
	for _, tc := range cases {
		got := tc.c.Lint()
		if len(got) != len(tc.want) {
			t.Errorf("%s: Lint = %q, want %d warning(s) %q", tc.name, got, len(tc.want), tc.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tc.want[i]) {
				t.Errorf("%s: warning %q, want it to contain %q", tc.name, got[i], tc.want[i])
			}
		}
	}
}
