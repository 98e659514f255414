package sysprep

import (
	"context"
	"strings"
)

func init() { register(sshHostkeys{}) }

// sshHostkeys removes the SSH host keys, so clones do not share them.
//
// Departure: Red Hat, SUSE and Arch regenerate missing host keys when sshd
// starts, and cloud-init does on a new instance, but Debian and Ubuntu do
// not: their sshd would not start. On a Debian-family guest without
// cloud-init we install a first-boot unit running `ssh-keygen -A` before
// ssh.service.
type sshHostkeys struct{}

func (sshHostkeys) Name() string    { return "ssh-hostkeys" }
func (sshHostkeys) Summary() string { return "Remove the SSH host keys in the guest" }
func (sshHostkeys) DefaultOn() bool { return true }

// sshKeygenUnit is the first-boot unit that regenerates the host keys.
const sshKeygenUnit = "sysprep-ssh-hostkeys.service"

func (sshHostkeys) Apply(_ context.Context, e *Env) error {
	if err := rm(e, "/etc/ssh/*_host_*"); err != nil {
		return err
	}
	if !e.Guest.IsDebianLike() || !isRegular(e, "/usr/sbin/sshd") {
		return nil
	}
	if exists(e, "/etc/cloud/cloud.cfg") || exists(e, "/usr/bin/cloud-init") {
		e.Note("cloud-init regenerates the SSH host keys at the clone's first boot")
		return nil
	}
	if !hasSystemd(e) {
		e.Warnf("SSH host keys removed but the guest has no systemd: run ssh-keygen -A in the clone before starting sshd")
		return nil
	}
	if !exists(e, "/usr/bin/ssh-keygen") {
		e.Warnf("SSH host keys removed but the guest has no /usr/bin/ssh-keygen to regenerate them; sshd will not start in the clone")
		return nil
	}
	wantedBy := []string{"multi-user.target"}
	var before []string
	for _, svc := range []string{"ssh.service", "sshd.service"} {
		// An alias symlink (Debian's sshd.service) is the same unit.
		if found, regular := findUnit(e, svc); found && regular {
			wantedBy = append(wantedBy, svc)
			before = append(before, svc)
		}
	}
	if len(before) == 0 {
		before = []string{"ssh.service"}
	}
	text := "# Installed by packer-plugin-sysprep (ssh-hostkeys): the host keys were\n" +
		"# removed from the template; make this clone's own before sshd starts.\n" +
		"[Unit]\n" +
		"Description=Generate the SSH host keys removed by sysprep\n" +
		"Before=" + strings.Join(before, " ") + "\n" +
		"ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key\n" +
		"\n[Service]\n" +
		"Type=oneshot\n" +
		"ExecStart=/usr/bin/ssh-keygen -A\n" +
		"\n[Install]\n" +
		"WantedBy=multi-user.target\n"
	if err := installFirstBootUnit(e, firstBootUnit{Name: sshKeygenUnit, Text: text, WantedBy: wantedBy}); err != nil {
		return err
	}
	e.Note("SSH host keys will be generated at first boot by %s", sshKeygenUnit)
	return nil
}
