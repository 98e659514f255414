package sysprep

import (
	iofs "io/fs"
	"maps"
	"strings"
	"testing"
)

func TestSSHHostkeys(t *testing.T) {
	keys := map[string]string{
		"etc/ssh/ssh_host_ed25519_key":        "PRIVATE",
		"etc/ssh/ssh_host_ed25519_key.pub":    "ssh-ed25519 AAAA",
		"etc/ssh/ssh_host_rsa_key":            "PRIVATE",
		"etc/ssh/ssh_host_rsa_key.pub":        "ssh-rsa AAAA",
		"etc/ssh/ssh_host_rsa_key-cert.pub":   "cert",
		"etc/ssh/sshd_config":                 "kept",
		"etc/ssh/moduli":                      "kept",
		"etc/ssh/sshd_config.d/50-local.conf": "kept",
	}
	removedKeys := abs("etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_ed25519_key.pub", "etc/ssh/ssh_host_rsa_key",
		"etc/ssh/ssh_host_rsa_key.pub", "etc/ssh/ssh_host_rsa_key-cert.pub")
	with := func(extra map[string]string) map[string]string {
		out := maps.Clone(keys)
		maps.Copy(out, extra)
		return out
	}
	debianSSH := map[string]string{
		"usr/sbin/sshd":                                          "ELF",
		"usr/bin/ssh-keygen":                                     "ELF",
		"lib/systemd/system/ssh.service":                         "[Service]\nExecStart=/usr/sbin/sshd -D\n",
		"etc/systemd/system/sshd.service":                        "-> /lib/systemd/system/ssh.service",
		"etc/systemd/system/multi-user.target.wants/ssh.service": "-> /lib/systemd/system/ssh.service",
	}
	unit := "/etc/systemd/system/sysprep-ssh-hostkeys.service"
	res := checkOp(t, "ssh-hostkeys", opCase{
		guest:   debianGuest(),
		tree:    with(debianSSH),
		removed: removedKeys,
		created: []string{unit,
			"/etc/systemd/system/multi-user.target.wants/sysprep-ssh-hostkeys.service",
			"/etc/systemd/system/ssh.service.wants",
			"/etc/systemd/system/ssh.service.wants/sysprep-ssh-hostkeys.service"},
		files: map[string]string{
			"/etc/systemd/system/multi-user.target.wants/sysprep-ssh-hostkeys.service": "-> " + unit,
			"/etc/systemd/system/ssh.service.wants/sysprep-ssh-hostkeys.service":       "-> " + unit,
		},
		modes: map[string]iofs.FileMode{unit: 0o644},
		notes: []string{"generated at first boot"},
	})
	want := "[Unit]\nDescription=Generate the SSH host keys removed by sysprep\nBefore=ssh.service\n" +
		"ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key\n\n[Service]\nType=oneshot\n" +
		"ExecStart=/usr/bin/ssh-keygen -A\n\n[Install]\nWantedBy=multi-user.target\n"
	if got := res.after[unit].Data; !strings.HasSuffix(got, want) || !strings.HasPrefix(got, "# ") {
		t.Errorf("unit:\n%s\nwant a comment then\n%s", got, want)
	}

	runCases(t, "ssh-hostkeys", []opCase{{
		name:    "rocky: sshd-keygen regenerates, no unit",
		guest:   rockyGuest(),
		tree:    with(map[string]string{"usr/sbin/sshd": "ELF", "etc/systemd/system/": ""}),
		removed: removedKeys,
	}, {
		name:    "ubuntu with cloud-init: no unit",
		guest:   ubuntuGuest(),
		tree:    with(map[string]string{"usr/sbin/sshd": "ELF", "usr/bin/ssh-keygen": "ELF", "etc/systemd/system/": "", "etc/cloud/cloud.cfg": "users: [default]\n"}),
		removed: removedKeys,
		notes:   []string{"cloud-init regenerates"},
	}, {
		name:    "ubuntu, sshd.service a real unit (older layout)",
		guest:   ubuntuGuest(),
		tree:    with(map[string]string{"usr/sbin/sshd": "ELF", "usr/bin/ssh-keygen": "ELF", "usr/lib/systemd/system/sshd.service": "[Service]\n", "etc/systemd/system/": ""}),
		removed: removedKeys,
		created: []string{unit,
			"/etc/systemd/system/multi-user.target.wants",
			"/etc/systemd/system/multi-user.target.wants/sysprep-ssh-hostkeys.service",
			"/etc/systemd/system/sshd.service.wants",
			"/etc/systemd/system/sshd.service.wants/sysprep-ssh-hostkeys.service"},
	}, {
		name:    "debian without an ssh server: no unit",
		guest:   debianGuest(),
		tree:    with(map[string]string{"etc/systemd/system/": ""}),
		removed: removedKeys,
	}, {
		name:     "debian without systemd: warning",
		guest:    debianGuest(),
		tree:     with(map[string]string{"usr/sbin/sshd": "ELF", "usr/bin/ssh-keygen": "ELF"}),
		removed:  removedKeys,
		warnings: []string{"no systemd"},
	}})
}
