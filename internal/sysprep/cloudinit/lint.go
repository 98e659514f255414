package cloudinit

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Lint returns warnings about settings that contradict each other once
// cloud-init reads the drop-in (typed fields and ExtraYAML together). A
// module list the drop-in does not set is inherited from the image's
// cloud.cfg and assumed to hold cloud-init's defaults. Lint never fails: an
// invalid config gives no warnings (Validate reports it).
func (c *Config) Lint() []string {
	m, err := c.merged()
	if err != nil {
		return nil
	}
	var w []string
	warn := func(format string, args ...any) { w = append(w, fmt.Sprintf(format, args...)) }

	stages := map[string]map[string]bool{} // set module lists, canonical names
	for _, key := range []string{"cloud_init_modules", "cloud_config_modules", "cloud_final_modules"} {
		if n := lookup(m, key); n != nil && n.Kind == yaml.SequenceNode {
			stages[key] = map[string]bool{}
			for _, e := range n.Content {
				stages[key][canonModule(moduleEntryName(e))] = true
			}
		}
	}
	// lacks reports whether a module list is set and does not hold module.
	lacks := func(key, module string) bool { s, set := stages[key]; return set && !s[module] }
	short := map[string]string{"cloud_init_modules": "init", "cloud_config_modules": "config", "cloud_final_modules": "final"}
	lacking := func(key, module string) string {
		if len(stages[key]) == 0 {
			return fmt.Sprintf("%s: [] runs no %s-stage module", key, short[key])
		}
		return fmt.Sprintf("%s does not list %s", key, module)
	}

	pkgs := seqItems(lookup(m, "packages"))
	upd, upg := boolVal(lookup(m, "package_update")), boolVal(lookup(m, "package_upgrade"))
	if (len(pkgs) > 0 || isTrue(upd) || isTrue(upg)) && lacks("cloud_final_modules", "package_update_upgrade_install") {
		what := "packages"
		if len(pkgs) == 0 {
			what = "package_update/package_upgrade"
		}
		warn("%s set but %s: cloud-init would never install them (add package_update_upgrade_install)", what, lacking("cloud_final_modules", "package_update_upgrade_install"))
	}
	if lookup(m, "runcmd") != nil {
		if lacks("cloud_config_modules", "runcmd") {
			warn("runcmd set but %s: the commands would never be written out", lacking("cloud_config_modules", "runcmd"))
		}
		if lacks("cloud_final_modules", "scripts_user") {
			warn("runcmd set but %s: the commands would never run (scripts_user runs them)", lacking("cloud_final_modules", "scripts_user"))
		}
	}
	si := lookup(m, "system_info")
	du := lookup(si, "default_user")
	if du != nil && lacks("cloud_init_modules", "users_groups") {
		warn("system_info.default_user set but %s: the default user would never be created", lacking("cloud_init_modules", "users_groups"))
	}
	if du != nil {
		if users := lookup(m, "users"); users != nil && !listsDefault(users) {
			warn("system_info.default_user set but users: does not list \"default\": cloud-init would not create the default user")
		}
	}
	if (lookup(m, "ssh_authorized_keys") != nil || lookup(m, "disable_root") != nil) && lacks("cloud_init_modules", "ssh") {
		warn("ssh_authorized_keys/disable_root set but %s: they would be ignored", lacking("cloud_init_modules", "ssh"))
	}
	pwauth := boolVal(lookup(m, "ssh_pwauth"))
	if pwauth != nil && lacks("cloud_init_modules", "set_passwords") {
		warn("ssh_pwauth set but %s: sshd's PasswordAuthentication would be left as the image has it", lacking("cloud_init_modules", "set_passwords"))
	}
	if dr := boolVal(lookup(m, "disable_root")); dr != nil && !*dr {
		keys := ""
		if lookup(m, "ssh_authorized_keys") != nil {
			keys = " ssh_authorized_keys and"
		}
		warn("disable_root: false: root accepts every%s the instance's SSH keys (cloud-init installs them for root without the \"login as the default user\" guard)", keys)
	}
	lock := boolVal(lookup(du, "lock_passwd"))
	hasPassword := lookup(du, "passwd") != nil || lookup(du, "hashed_passwd") != nil ||
		lookup(du, "plain_text_passwd") != nil || lookup(m, "password") != nil || lookup(m, "chpasswd") != nil
	switch {
	case isTrue(pwauth) && lock != nil && *lock:
		warn("ssh_pwauth: true but default_user lock_passwd: true: the default user cannot log in with a password")
	case lock != nil && !*lock && !hasPassword:
		warn("default_user lock_passwd: false but no password is set (passwd, hashed_passwd, password or chpasswd): the account has no usable password unless user-data sets one")
	}

	if ds := lookup(m, "datasource_list"); ds != nil && ds.Kind == yaml.SequenceNode {
		lintDatasources(ds, warn)
	}
	seen := map[string]string{}
	for _, key := range []string{"cloud_init_modules", "cloud_config_modules", "cloud_final_modules"} {
		for _, e := range seqItems(lookup(m, key)) {
			raw := moduleEntryName(e)
			name := canonModule(raw)
			if name == "" {
				continue
			}
			if !knownModules[name] {
				warn("%s: unknown module %q: cloud-init would log an error and skip it", key, raw)
			}
			if prev, dup := seen[name]; dup {
				warn("module %q is listed in both %s and %s: cloud-init would run it twice", raw, prev, key)
			}
			seen[name] = key
		}
	}
	if n := c.fileName(); n < "90" {
		warn("file name %s sorts before 90: packaged drop-ins such as 90_dpkg.cfg are read after it and win on the same keys (use a 99- prefix)", n)
	}
	return w
}

func lintDatasources(ds *yaml.Node, warn func(string, ...any)) {
	if len(ds.Content) == 0 {
		warn("datasource_list: [] leaves cloud-init no datasource: ds-identify disables cloud-init at boot")
		return
	}
	seen := map[string]bool{}
	for i, e := range ds.Content {
		name := e.Value
		if seen[name] && !seen[name+" twice"] {
			seen[name+" twice"] = true
			warn("datasource_list lists %s more than once", name)
		}
		seen[name] = true
		if !isKnownDatasource(name) {
			if hint := datasourceHint(name); hint != "" {
				warn("datasource_list: %q is not a datasource (names are case-sensitive: %s)", name, hint)
			} else {
				warn("datasource_list: %q is not a datasource cloud-init 26.2 knows", name)
			}
		}
		if name == "None" && i != len(ds.Content)-1 && !seen["None after"] {
			seen["None after"] = true
			warn("datasource_list: None always succeeds, so the datasources after it are never tried (put None last)")
		}
	}
}

func (c *Config) fileName() string {
	if c.FileName != "" {
		return c.FileName
	}
	return DefaultFileName
}

// listsDefault reports whether a users: value holds "default".
func listsDefault(users *yaml.Node) bool {
	switch users.Kind {
	case yaml.ScalarNode: // "default" or "a, default"
		for _, f := range strings.Split(users.Value, ",") {
			if strings.TrimSpace(f) == "default" {
				return true
			}
		}
	case yaml.SequenceNode:
		for _, e := range users.Content {
			if e.Kind == yaml.ScalarNode && e.Value == "default" {
				return true
			}
		}
	}
	return false
}

func isTrue(b *bool) bool { return b != nil && *b }
