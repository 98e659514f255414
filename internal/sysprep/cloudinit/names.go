package cloudinit

import (
	"regexp"
	"strings"
)

// Syntax of the names a Config holds.
var (
	// fileNameRE: a plain, shell-safe name ending in .cfg (cloud-init reads
	// only *.cfg in cloud.cfg.d).
	fileNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._+-]*\.cfg$`)
	// userNameRE: shadow-utils' portable user and group names (lower case,
	// digits, '_', '-', '.', an optional trailing '$' for Samba machines).
	userNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_.-]*\$?$`)
	// moduleRE: a cloud-init module name; '-' and '_' are interchangeable
	// and an optional "cc_" prefix is allowed, as cloud-init's loader does.
	moduleRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	// datasourceRE: a datasource name, the X of cloudinit/sources/DataSourceX.py.
	datasourceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
)

// maxUserName is useradd's limit (32 characters, utmp's ut_user).
const maxUserName = 32

// canonModule is cloud-init's form_module_name without the "cc_": lower
// case, '-' as '_'.
func canonModule(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "-", "_")
	return strings.TrimPrefix(n, "cc_")
}

// knownModules are the config modules of cloud-init 26.2 (cloudinit/config/cc_*.py)
// plus a few recently removed or distro-patched ones still found in images'
// cloud.cfg, in canonical form.
var knownModules = setOf(
	"ansible", "apk_configure", "apt_configure", "apt_pipelining", "bootcmd", "byobu",
	"ca_certs", "chef", "disable_ec2_metadata", "disk_setup", "fan", "final_message",
	"growpart", "grub_dpkg", "install_hotplug", "keyboard", "keys_to_console", "landscape",
	"locale", "lxd", "mcollective", "mounts", "ntp", "package_update_upgrade_install",
	"phone_home", "power_state_change", "puppet", "raspberry_pi", "reset_rmc",
	"refresh_rmc_and_interface", "resizefs", "resolv_conf", "rh_subscription", "rsyslog",
	"runcmd", "salt_minion", "scripts_per_boot", "scripts_per_instance", "scripts_per_once",
	"scripts_user", "scripts_vendor", "seed_random", "set_hostname", "set_passwords", "snap",
	"spacewalk", "ssh", "ssh_authkey_fingerprints", "ssh_import_id", "timezone",
	"ubuntu_advantage", "ubuntu_autoinstall", "ubuntu_drivers", "ubuntu_pro",
	"update_etc_hosts", "update_hostname", "users_groups", "wireguard", "write_files",
	"write_files_deferred", "yum_add_repo", "zypper_add_repo",
	// removed upstream but still listed by older images
	"migrator", "emit_upstart", "rightscale_userdata", "snap_config", "snappy",
	"ubuntu_init_switch", "apt_update_upgrade", "debug",
)

// knownDatasources are the datasources of cloud-init 26.2 (cloudinit/sources/DataSource*.py).
var knownDatasources = []string{
	"Akamai", "AliYun", "AltCloud", "Azure", "Bigstep", "CloudCIX", "CloudSigma",
	"CloudStack", "ConfigDrive", "DigitalOcean", "Ec2", "Exoscale", "GCE", "Hetzner",
	"IBMCloud", "LXD", "MAAS", "NWCS", "NoCloud", "None", "OVF", "OpenNebula", "OpenStack",
	"Oracle", "RbxCloud", "Scaleway", "SmartOS", "UpCloud", "VMware", "Vultr", "WSL",
}

// datasourceHint returns the known datasource spelled like ds apart from
// case, or "".
func datasourceHint(ds string) string {
	for _, k := range knownDatasources {
		if strings.EqualFold(k, ds) {
			return k
		}
	}
	return ""
}

func isKnownDatasource(ds string) bool {
	for _, k := range knownDatasources {
		if k == ds {
			return true
		}
	}
	return false
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
