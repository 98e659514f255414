package cloudinit

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// Validate checks the configuration without the guest and returns every
// problem found, joined: the file name, the user, group, module, package and
// datasource names, the SSH keys, and ExtraYAML (parse, shape of the keys
// cloud-init's schema knows, names inside its lists).
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cloud_init "+format, args...))
	}
	if c.FileName != "" && !fileNameRE.MatchString(c.FileName) {
		add("file name %q: must be a plain name of [A-Za-z0-9._+-] ending in .cfg (cloud-init reads only *.cfg in /etc/cloud/cloud.cfg.d)", c.FileName)
	}
	if u := c.DefaultUser; u != nil {
		if u.Name != "" {
			if err := checkUserName(u.Name); err != nil {
				add("default_user name: %v", err)
			}
		}
		for _, g := range u.Groups {
			if err := checkUserName(g); err != nil {
				add("default_user groups: %v", err)
			}
		}
		if u.Shell != "" && (!path.IsAbs(u.Shell) || strings.ContainsAny(u.Shell, " \t\n:") || path.Clean(u.Shell) != u.Shell) {
			add("default_user shell %q: must be an absolute path such as /bin/bash", u.Shell)
		}
		for _, s := range u.Sudo {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "\n\r") {
				add("default_user sudo rule %q: must be one non-empty sudoers line", s)
			}
		}
		for i, k := range u.SSHAuthorizedKeys {
			if err := checkAuthorizedKey(k); err != nil {
				add("default_user ssh_authorized_keys[%d]: %v", i, err)
			}
		}
	}
	for _, p := range c.Packages {
		if p == "" || strings.ContainsAny(p, " \t\n\r'\"`;|&$<>") || strings.HasPrefix(p, "-") {
			add("package %q: must be a package name (use extra YAML for [name, version] pairs)", p)
		}
	}
	for _, ds := range c.DatasourceList {
		if !datasourceRE.MatchString(ds) {
			add("datasource_list entry %q: must be a datasource name such as NoCloud or Ec2", ds)
		}
	}
	for _, l := range []struct {
		key  string
		mods []string
	}{{"cloud_init_modules", c.InitModules}, {"cloud_config_modules", c.ConfigModules}, {"cloud_final_modules", c.FinalModules}} {
		for _, m := range l.mods {
			if !moduleRE.MatchString(m) {
				add("%s entry %q: must be a module name such as scripts_user (use extra YAML for [name, frequency] entries)", l.key, m)
			}
		}
	}
	extra, err := parseExtra(c.ExtraYAML)
	if err != nil {
		errs = append(errs, fmt.Errorf("cloud_init %w", err))
	} else {
		for _, err := range checkExtraTypes(extra) {
			errs = append(errs, fmt.Errorf("cloud_init %w", err))
		}
		errs = append(errs, checkExtraNames(extra)...)
	}
	return errors.Join(errs...)
}

func checkUserName(n string) error {
	if len(n) > maxUserName || !userNameRE.MatchString(n) {
		return fmt.Errorf("%q is not a valid user or group name (lower case letters, digits, '_', '-', '.', at most %d characters, not starting with a digit or '-')", n, maxUserName)
	}
	return nil
}

// sshKeyTypes are the public key algorithms OpenSSH accepts in authorized_keys.
var sshKeyTypes = setOf(
	"ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
	"ssh-ed25519-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com",
	"ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
	"ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
	"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
)

// checkAuthorizedKey checks one authorized_keys line: optional options, a
// key type, and a base-64 blob whose first field names the same type.
func checkAuthorizedKey(line string) error {
	if strings.ContainsAny(line, "\n\r") {
		return errors.New("must be a single line")
	}
	fields := strings.Fields(line)
	for i := 0; i+1 < len(fields); i++ {
		if !sshKeyTypes[fields[i]] {
			continue
		}
		blob, err := base64.StdEncoding.DecodeString(fields[i+1])
		if err != nil {
			return fmt.Errorf("%s key: the key data is not base-64: %v", fields[i], err)
		}
		if len(blob) < 4 {
			return fmt.Errorf("%s key: the key data is truncated", fields[i])
		}
		n := binary.BigEndian.Uint32(blob)
		if uint64(n) > uint64(len(blob)-4) || string(blob[4:4+n]) != fields[i] {
			return fmt.Errorf("%s key: the key data is not a %s key", fields[i], fields[i])
		}
		return nil
	}
	return fmt.Errorf("not a public key line (want \"ssh-ed25519 AAAA... comment\"): %.40q", line)
}

// checkExtraNames checks the names inside ExtraYAML's lists the same way as
// the typed fields.
func checkExtraNames(m *yaml.Node) []error {
	var errs []error
	for _, key := range []string{"cloud_init_modules", "cloud_config_modules", "cloud_final_modules"} {
		for _, e := range seqItems(lookup(m, key)) {
			name := moduleEntryName(e)
			if name == "" || !moduleRE.MatchString(name) {
				errs = append(errs, fmt.Errorf("cloud_init extra YAML: line %d: %s entry must be a module name or [name, frequency, ...]", e.Line, key))
			}
		}
	}
	for _, e := range seqItems(lookup(m, "datasource_list")) {
		if e.Kind != yaml.ScalarNode || !datasourceRE.MatchString(e.Value) {
			errs = append(errs, fmt.Errorf("cloud_init extra YAML: line %d: datasource_list entry must be a datasource name such as NoCloud", e.Line))
		}
	}
	return errs
}

// seqItems returns the items of a sequence node, or nil.
func seqItems(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// moduleEntryName returns the name of a module list entry: "name" or
// [name, frequency, args...].
func moduleEntryName(e *yaml.Node) string {
	switch {
	case e.Kind == yaml.ScalarNode:
		return e.Value
	case e.Kind == yaml.SequenceNode && len(e.Content) > 0 && e.Content[0].Kind == yaml.ScalarNode:
		return e.Content[0].Value
	}
	return ""
}
