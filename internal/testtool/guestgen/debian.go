package guestgen

import (
	"fmt"
	"strings"
)

// Owners of the Debian 12 base system.
const (
	gidShadow  = 42
	gidMail    = 8
	gidCrontab = 101
	uidDebian  = 1000
	gidDebian  = 1000
)

// DebianTree returns the root filesystem of a Debian 12 (bookworm) cloud
// guest. secret is written in clear into files the default sysprep
// operations delete (shell histories, host key .pub comments, logs, the
// journal, cloud-init seed and logs, DHCP leases, mail, crontabs, package
// cache, temporary files, authorized_keys); HashSecret(secret) is embedded
// in root's hash in /etc/shadow and /etc/shadow-. Use an alphanumeric
// secret. /etc/fstab is added by Build, which knows the UUIDs.
func DebianTree(secret string) Tree {
	mid := MachineID(secret)
	t := Tree{
		// usrmerge symlinks and the run directory links.
		"bin":                            Symlink("usr/bin"),
		"sbin":                           Symlink("usr/sbin"),
		"lib":                            Symlink("usr/lib"),
		"lib64":                          Symlink("usr/lib64"),
		"usr/bin":                        Dir(0o755, 0, 0),
		"usr/sbin":                       Dir(0o755, 0, 0),
		"usr/lib64/ld-linux-x86-64.so.2": Symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
		"usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": Owned("\x7fELF fake loader\n", 0o755, 0, 0),
		"usr/bin/bash":   Owned("\x7fELF fake bash\n", 0o755, 0, 0),
		"usr/bin/sh":     Symlink("dash"),
		"usr/bin/dash":   Owned("\x7fELF fake dash\n", 0o755, 0, 0),
		"usr/bin/passwd": Owned("\x7fELF fake passwd\n", 0o4755, 0, 0),
		"run":            Dir(0o755, 0, 0),
		"var/run":        Symlink("/run"),
		"var/lock":       Symlink("/run/lock"),
		"proc":           Dir(0o555, 0, 0),
		"sys":            Dir(0o555, 0, 0),
		"dev":            Dir(0o755, 0, 0),
		"boot":           Dir(0o755, 0, 0),
		"srv":            Dir(0o755, 0, 0),
		"mnt":            Dir(0o755, 0, 0),
		"opt":            Dir(0o755, 0, 0),
		"media":          Dir(0o755, 0, 0),
		"tmp":            Dir(0o1777, 0, 0),
		"var/tmp":        Dir(0o1777, 0, 0),
		"etc/mtab":       Symlink("../proc/self/mounts"),

		// Identity.
		"etc/os-release":          Symlink("../usr/lib/os-release"),
		"usr/lib/os-release":      Text(osRelease),
		"etc/debian_version":      Text("12.8\n"),
		"etc/hostname":            Text("debian\n"),
		"etc/hosts":               Text(hosts),
		"etc/machine-id":          Owned(mid+"\n", 0o444, 0, 0),
		"var/lib/dbus/machine-id": Symlink("/etc/machine-id"),
		"etc/localtime":           Symlink("/usr/share/zoneinfo/Etc/UTC"),
		"etc/timezone":            Text("Etc/UTC\n"),

		// Accounts.
		"etc/passwd":                        Text(passwd),
		"etc/passwd-":                       Text(passwd),
		"etc/group":                         Text(group),
		"etc/group-":                        Text(group),
		"etc/shadow":                        Owned(shadow(secret), 0o640, 0, gidShadow),
		"etc/shadow-":                       Owned(shadow(secret), 0o600, 0, 0),
		"etc/gshadow":                       Owned(gshadow, 0o640, 0, gidShadow),
		"etc/gshadow-":                      Owned(gshadow, 0o600, 0, 0),
		"etc/subuid":                        Text("debian:100000:65536\n"),
		"etc/subgid":                        Text("debian:100000:65536\n"),
		"etc/login.defs":                    Text(loginDefs),
		"etc/sudoers.d/90-cloud-init-users": Owned("# Created by cloud-init v. 22.4.2\n\n# User rules for debian\ndebian ALL=(ALL) NOPASSWD:ALL\n", 0o440, 0, 0),
		"etc/skel/.bashrc":                  Text("# ~/.bashrc: executed by bash(1) for non-login shells.\n"),
		"etc/skel/.profile":                 Text("# ~/.profile: executed by the command interpreter for login shells.\n"),
		"root":                              Dir(0o700, 0, 0),
		"root/.bashrc":                      Text("# ~/.bashrc: executed by bash(1) for non-login shells.\n"),
		"root/.bash_history":                Owned(fmt.Sprintf("apt-get update\nexport API_TOKEN=%s\ncurl -H \"Authorization: $API_TOKEN\" https://example.invalid/\n", secret), 0o600, 0, 0),
		"root/.ssh":                         Dir(0o700, 0, 0),
		"root/.ssh/authorized_keys":         Owned("no-port-forwarding ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI root-"+secret+"\n", 0o600, 0, 0),
		"home/debian":                       Dir(0o700, uidDebian, gidDebian),
		"home/debian/.bashrc":               Owned("# ~/.bashrc\n", 0o644, uidDebian, gidDebian),
		"home/debian/.bash_history":         Owned("ls -la\nsudo -i\necho "+secret+" > /tmp/token\n", 0o600, uidDebian, gidDebian),
		"home/debian/.ssh":                  Dir(0o700, uidDebian, gidDebian),
		"home/debian/.ssh/authorized_keys":  Owned("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq8 debian@"+secret+"\n", 0o600, uidDebian, gidDebian),

		// SSH server.
		"etc/ssh/sshd_config":                                           Text(sshdConfig),
		"etc/ssh/ssh_config":                                            Text("Host *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n"),
		"etc/ssh/moduli":                                                Text("# Time Type Tests Tries Size Generator Modulus\n"),
		"usr/lib/systemd/system/ssh.service":                            Text(sshService),
		"usr/lib/systemd/system/cloud-init.service":                     Text("[Unit]\nDescription=Cloud-init: Network Stage\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/cloud-init init\n"),
		"etc/systemd/system/sshd.service":                               Symlink("/lib/systemd/system/ssh.service"),
		"etc/systemd/system/multi-user.target.wants/ssh.service":        Symlink("/lib/systemd/system/ssh.service"),
		"etc/systemd/system/cloud-init.target.wants/cloud-init.service": Symlink("/lib/systemd/system/cloud-init.service"),

		// Network and devices.
		"etc/network/interfaces":                   Text("# interfaces(5) file used by ifup(8) and ifdown(8)\nsource /etc/network/interfaces.d/*\n"),
		"etc/network/interfaces.d/50-cloud-init":   Text("auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n"),
		"etc/udev/rules.d/70-persistent-net.rules": Text(`SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"` + "\n"),
		"var/lib/dhcp/dhclient.eth0.leases":        Text(dhcpLease(secret)),
		"var/lib/systemd/random-seed":              Owned(strings.Repeat("\x5a\xa5", 256), 0o600, 0, 0),
		"etc/resolv.conf":                          Text("nameserver 10.0.2.3\nsearch " + "example.internal\n"),

		// Logs.
		"var/log":                                    Dir(0o755, 0, 0),
		"var/log/syslog":                             Owned(syslog(secret), 0o640, 0, 4),
		"var/log/auth.log":                           Owned("Nov 22 07:00:01 debian sshd[812]: Accepted publickey for debian from 10.0.2.2 port 51514 ssh2: ED25519 "+secret+"\n", 0o640, 0, 4),
		"var/log/dpkg.log":                           Text("2026-11-22 07:00:00 startup archives unpack\n2026-11-22 07:00:01 install curl:amd64 <none> 7.88.1-10+deb12u8 " + secret + "\n"),
		"var/log/cloud-init.log":                     Owned("2026-11-22 07:00:00,000 - util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init' "+secret+"\n", 0o640, 0, 4),
		"var/log/cloud-init-output.log":              Owned("Cloud-init v. 22.4.2 running 'modules:final' token="+secret+"\n", 0o640, 0, 4),
		"var/log/apt/history.log":                    Text("Start-Date: 2026-11-22  07:00:00\nCommandline: apt-get install -y curl " + secret + "\nEnd-Date: 2026-11-22  07:00:05\n"),
		"var/log/apt/term.log":                       Owned("Log started: 2026-11-22  07:00:00\n", 0o640, 0, 4),
		"var/log/journal":                            Dir(0o2755, 0, 0),
		"var/log/journal/" + mid + "/system.journal": Owned("LPKSHHRH\x00\x00\x00\x00"+strings.Repeat("MESSAGE="+secret+"\n", 64), 0o640, 0, 4),
		"var/log/wtmp":                               Owned("", 0o664, 0, 43),
		"var/log/btmp":                               Owned("", 0o660, 0, 43),
		"var/log/lastlog":                            Owned("", 0o664, 0, 43),

		// cloud-init.
		"etc/cloud/cloud.cfg":                        Text(cloudCfg),
		"etc/cloud/cloud.cfg.d/01_debian_cloud.cfg":  Text("apt:\n  generate_mirrorlists: true\nsystem_info:\n  default_user:\n    name: debian\n"),
		"etc/cloud/cloud.cfg.d/05_logging.cfg":       Text("_log:\n - &log_base |\n   [loggers]\n   keys=root,cloudinit\n"),
		"etc/cloud/cloud.cfg.d/90_dpkg.cfg":          Text("# to update this file, run dpkg-reconfigure cloud-init\ndatasource_list: [ NoCloud, ConfigDrive, Ec2, None ]\n"),
		"var/lib/cloud/instance":                     Symlink("/var/lib/cloud/instances/i-1"),
		"var/lib/cloud/instances/i-1/boot-finished":  Text("32.77 - Sun, 22 Nov 2026 07:00:33 +0000 - v. 22.4.2\n"),
		"var/lib/cloud/instances/i-1/datasource":     Text("DataSourceNoCloud: DataSourceNoCloud [seed=/var/lib/cloud/seed/nocloud][dsmode=net]\n"),
		"var/lib/cloud/instances/i-1/user-data.txt":  Owned("#cloud-config\npassword: "+secret+"\nchpasswd: {expire: false}\n", 0o600, 0, 0),
		"var/lib/cloud/instances/i-1/obj.pkl":        Owned("\x80\x04\x95pickled "+secret, 0o600, 0, 0),
		"var/lib/cloud/instances/i-1/sem/config_ssh": Text("2026-11-22 07:00:10\n"),
		"var/lib/cloud/seed/nocloud/user-data":       Owned("#cloud-config\nssh_pwauth: true\npassword: "+secret+"\n", 0o600, 0, 0),
		"var/lib/cloud/seed/nocloud/meta-data":       Text("instance-id: i-1\nlocal-hostname: debian\n"),
		"var/lib/cloud/data/instance-id":             Text("i-1\n"),
		"var/lib/cloud/data/previous-hostname":       Text("debian\n"),
		"var/lib/cloud/data/status.json":             Text(`{"v1": {"datasource": "DataSourceNoCloud", "stage": null}}` + "\n"),
		"var/lib/cloud/data/result.json":             Text(`{"v1": {"datasource": "DataSourceNoCloud", "errors": []}}` + "\n"),
		"var/lib/cloud/scripts/per-boot":             Dir(0o755, 0, 0),

		// Package manager.
		"etc/apt/sources.list.d/debian.sources":                   Text("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"),
		"var/cache/apt/archives/lock":                             Owned("", 0o640, 0, 0),
		"var/cache/apt/archives/partial":                          Dir(0o700, 42, 0),
		"var/cache/apt/archives/curl_7.88.1-10+deb12u8_amd64.deb": Text(deb("curl", secret, 3)),
		"var/cache/apt/archives/jq_1.6-2.1_amd64.deb":             Text(deb("jq", secret, 5)),
		"var/cache/apt/archives/libjq1_1.6-2.1_amd64.deb":         Text(deb("libjq1", secret, 7)),
		"var/lib/dpkg/status":                                     Text("Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10+deb12u8\n\n"),

		// Spools and scratch.
		"var/spool/cron/crontabs":        Dir(0o1730, 0, gidCrontab),
		"var/spool/cron/crontabs/debian": Owned("# m h dom mon dow command\n*/5 * * * * curl -s https://example.invalid/?t="+secret+"\n", 0o600, uidDebian, gidCrontab),
		"var/spool/mail":                 Symlink("../mail"),
		"var/mail":                       Dir(0o2775, 0, gidMail),
		"var/mail/debian":                Owned("From root@debian Sun Nov 22 07:00:00 2026\nSubject: token\n\n"+secret+"\n", 0o660, uidDebian, gidMail),
		"tmp/build.log":                  Text("building with token " + secret + "\n"),
		"tmp/.hidden-junk":               Text(secret + "\n"),
		"tmp/systemd-private-0a1b/tmp/x": Owned(secret+"\n", 0o600, 0, 0),
		"var/tmp/cloud-init/tmp.sh":      Owned("#!/bin/sh\necho "+secret+"\n", 0o700, 0, 0),
		"var/backups/dpkg.status.0":      Text("Package: curl\n"),
		"etc/hosts.bak":                  Text("127.0.0.1 localhost " + secret + "\n"),
	}
	for p, f := range hostKeys(secret) {
		t[p] = f
	}
	for p, f := range zoneinfo() {
		t[p] = f
	}
	return t
}

func shadow(secret string) string {
	// yescrypt ($y$) hashes in Debian 12's format; the hash part carries
	// HashSecret(secret) so tests can look for it.
	return "root:$y$j9T$Qm5sZ3JvdW5kc2FsdA$" + HashSecret(secret) + "RootHashTail0123456789:20049:0:99999:7:::\n" +
		"daemon:*:20049:0:99999:7:::\nbin:*:20049:0:99999:7:::\nsys:*:20049:0:99999:7:::\n" +
		"sshd:*:20049:0:99999:7:::\nsystemd-network:!*:20049::::::\n_apt:*:20049:0:99999:7:::\n" +
		"debian:$y$j9T$ZGViaWFuc2FsdHNhbHQ$DebianUserHash0123456789abcdefABCDEF012345:20049:0:99999:7:::\n"
}

func dhcpLease(secret string) string {
	return "lease {\n  interface \"eth0\";\n  fixed-address 10.0.2.15;\n  option subnet-mask 255.255.255.0;\n" +
		"  option host-name \"" + secret + "\";\n  option dhcp-server-identifier 10.0.2.2;\n" +
		"  renew 0 2026/11/22 19:00:00;\n  expire 1 2026/11/23 07:00:00;\n}\n"
}

func syslog(secret string) string {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "Nov 22 07:%02d:%02d debian systemd[1]: Started session-%d.scope - Session %d of User debian.\n", i/60, i%60, i, i)
	}
	b.WriteString("Nov 22 07:04:00 debian cloud-init[612]: password for debian is " + secret + "\n")
	return b.String()
}

// deb returns a few KiB standing in for a .deb archive (ar magic first).
func deb(pkg, secret string, kib int) string {
	return "!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n" +
		pkg + " " + secret + "\n" + strings.Repeat("\x1f\x8b\x08\x00"+pkg, kib*1024/(4+len(pkg)))
}
