package cloudinit

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// FuzzExtraYAML: any ExtraYAML gives an error or a drop-in that parses back
// as one mapping holding the typed fields; Validate, Render and Lint never
// panic, and Render is deterministic.
func FuzzExtraYAML(f *testing.F) {
	for _, s := range []string{
		"", "a: 1\n", "system_info:\n  default_user:\n    name: x\n", "datasource_list: [A, B]\n",
		"runcmd:\n  - [sh, -c, 'echo']\n", "- a\n", "a: &x 1\nb: *x\n", "a: [\n", "a: 1\n---\nb: 2\n",
		"packages: yes\n", "cloud_final_modules: []\n", "? [a]\n: b\n", "a: !!binary aGk=\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, extra string) {
		c := rockyConfig()
		c.FinalModules = []string{}
		c.ExtraYAML = extra
		_ = c.Validate()
		_ = c.Lint()
		b, err := c.Render()
		if err != nil {
			return
		}
		b2, _ := c.Render()
		if string(b) != string(b2) {
			t.Fatalf("Render not deterministic for %q", extra)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			t.Fatalf("Render of %q gives YAML that is not one mapping: %v\n%s", extra, err, b)
		}
		m := doc.Content[0]
		name := lookup(lookup(lookup(m, "system_info"), "default_user"), "name")
		if name == nil || name.Value != "admin" || lookup(m, "ssh_pwauth").Value != "false" {
			t.Fatalf("typed fields lost with extra %q:\n%s", extra, b)
		}
		if !strings.HasPrefix(string(b), Header) {
			t.Fatalf("no header")
		}
	})
}

// FuzzCleanGuestConfig: a hostile cloud.cfg never makes Clean panic or
// remove anything outside the log files and cloud_dir it names.
func FuzzCleanGuestConfig(f *testing.F) {
	for _, s := range []string{
		"def_log_file: /var/log/x.log\n", "output: {all: '| tee -a /var/log/o.log'}\n",
		"output: {all: [a, '&1']}\n", "output: {all: {output: '>x', error: '&1'}}\n",
		"system_info: {paths: {cloud_dir: /srv/c}}\n", "system_info: {paths: {cloud_dir: relative}}\n",
		"def_log_file: [1, 2]\n", "output: 7\n", "def_log_file: /\n", "system_info: {paths: {cloud_dir: /}}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cfg string) {
		root := testtool.MemFS(t, testtool.Tree{
			"etc/cloud/cloud.cfg":  cfg,
			"var/log/x.log":        "x",
			"var/lib/cloud/data/a": "a",
		})
		r, err := Clean(root, CleanOptions{Logs: true})
		if err != nil {
			return
		}
		for _, p := range r.Removed {
			if strings.HasPrefix(p, "/etc/cloud") {
				t.Fatalf("cloud.cfg %q made Clean remove %s", cfg, p)
			}
		}
	})
}
