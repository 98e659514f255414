package customize

import (
	"errors"
	"strings"
)

func validateSELinuxRelabel(arg string) error {
	if arg != "" {
		return errors.New("takes no argument")
	}
	return nil
}

// selinuxMode returns SELINUX= from /etc/selinux/config ("" when the file
// or the key is missing).
func (r *run) selinuxMode() (string, bool, error) {
	data, ok, err := r.readFile("/etc/selinux/config")
	if err != nil || !ok {
		return "", false, err
	}
	mode := ""
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if v, ok := strings.CutPrefix(l, "SELINUX="); ok {
			mode = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return mode, true, nil
}

// applySELinuxRelabel asks for a full relabel at the next boot by touching
// /.autorelabel on SELinux guests (/etc/selinux/config present, SELINUX
// not disabled). It does not run setfiles: that needs the guest's policy
// tools. Other guests are left alone.
func applySELinuxRelabel(r *run, _ string) error {
	mode, ok, err := r.selinuxMode()
	if err != nil {
		return err
	}
	if !ok {
		r.logf("customize: --selinux-relabel: no /etc/selinux/config, not an SELinux guest: nothing to do")
		return nil
	}
	if strings.EqualFold(mode, "disabled") {
		r.logf("customize: --selinux-relabel: SELINUX=disabled in /etc/selinux/config: nothing to do")
		return nil
	}
	if ok, err := r.exists("/.autorelabel"); err != nil || ok {
		return err
	}
	return r.root.WriteFile("/.autorelabel", nil, 0o644)
}
