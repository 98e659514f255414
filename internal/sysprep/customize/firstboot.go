package customize

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// First-boot layout, the same as virt-customize's so that both tools'
// scripts share one runner.
const (
	firstbootDir     = "/usr/lib/virt-sysprep"
	firstbootRunner  = firstbootDir + "/firstboot.sh"
	firstbootScripts = firstbootDir + "/scripts"
	firstbootDone    = firstbootDir + "/scripts-done"
	firstbootUnit    = "guestfs-firstboot.service"
	firstbootPrio    = 5000
	maxScriptName    = 60
)

// firstbootRunnerText runs each script once, in name order, moving it to
// scripts-done first (a script that reboots is not run again), logs to
// /root/virt-sysprep-firstboot.log, then disables itself.
const firstbootRunnerText = `#!/bin/sh -
# First-boot runner (virt-customize layout), installed by packer-plugin-sysprep.
scripts=` + firstbootScripts + `
done_dir=` + firstbootDone + `
log=/root/virt-sysprep-firstboot.log

case "$1" in
start|"") ;;
stop|status) exit 0 ;;
*) echo "usage: $0 start" >&2; exit 2 ;;
esac

mkdir -p "$done_dir"
{
  echo "=== $0: $(date) ==="
  for f in "$scripts"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    mv -f "$f" "$done_dir/$name" || continue
    echo "=== running $name ==="
    "$done_dir/$name"
    echo "=== $name exited with status $? ==="
  done
} >>"$log" 2>&1

# Done: disable this service until new scripts are installed.
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable ` + firstbootUnit + ` >/dev/null 2>&1
fi
rm -f /etc/systemd/system/multi-user.target.wants/` + firstbootUnit + `
rm -f /etc/rc.d/rc[235].d/S99guestfs-firstboot /etc/rc[235].d/S99guestfs-firstboot /etc/init.d/rc[235].d/S99guestfs-firstboot
exit 0
`

const firstbootUnitText = `[Unit]
Description=virt-sysprep/packer-plugin-sysprep first-boot scripts
After=network.target
Before=prefdm.service

[Service]
Type=oneshot
ExecStart=` + firstbootRunner + ` start
RemainAfterExit=yes
StandardOutput=journal+console
StandardError=inherit
TimeoutSec=0

[Install]
WantedBy=multi-user.target
`

func validateFirstboot(arg string) error {
	if arg == "" {
		return errors.New("want a host script path")
	}
	return nil
}

func validateFirstbootCommand(arg string) error {
	if strings.TrimSpace(arg) == "" {
		return errors.New("empty command")
	}
	return nil
}

func applyFirstboot(r *run, arg string) error {
	data, _, err := readHostFile(arg)
	if err != nil {
		return fmt.Errorf("firstboot script: %w", err)
	}
	return r.addFirstboot(filepath.Base(arg), data)
}

func applyFirstbootCommand(r *run, arg string) error {
	return r.addFirstboot(arg, []byte(arg))
}

// scriptName is virt-customize's sanitised name: [^a-z0-9_] become '-',
// at most 60 characters.
func scriptName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '-'
		}
	}
	if len(b) > maxScriptName {
		b = b[:maxScriptName]
	}
	return string(b)
}

// addFirstboot installs the runner, the service and one script.
func (r *run) addFirstboot(name string, content []byte) error {
	if !r.g.IsLinux() {
		return fmt.Errorf("first-boot scripts need a Linux guest (found %q)", r.g.OS)
	}
	if err := r.installFirstbootService(); err != nil {
		return err
	}
	prefix := ""
	for n := r.firstbootN + 1; n <= 9999; n++ {
		p := fmt.Sprintf("%04d-%04d-", firstbootPrio, n)
		taken, err := r.scriptPrefixTaken(p)
		if err != nil {
			return err
		}
		if !taken {
			prefix, r.firstbootN = p, n
			break
		}
	}
	if prefix == "" {
		return fmt.Errorf("%s: no free script number left", firstbootScripts)
	}
	p := path.Join(firstbootScripts, prefix+scriptName(name))
	if err := r.root.WriteFile(p, content, 0o755); err != nil {
		return err
	}
	return r.root.Chmod(p, 0o755)
}

func (r *run) scriptPrefixTaken(prefix string) (bool, error) {
	for _, dir := range []string{firstbootScripts, firstbootDone} {
		ents, err := r.root.ReadDir(dir)
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return false, err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name, prefix) {
				return true, nil
			}
		}
	}
	return false, nil
}

// installFirstbootService writes the runner and hooks it into systemd
// and/or SysV init, as virt-customize does.
func (r *run) installFirstbootService() error {
	for _, d := range []string{firstbootScripts, firstbootDone} {
		if err := fs.MkdirAll(r.root, d, 0o755); err != nil {
			return err
		}
	}
	if err := r.root.WriteFile(firstbootRunner, []byte(firstbootRunnerText), 0o755); err != nil {
		return err
	}
	if err := r.root.Chmod(firstbootRunner, 0o755); err != nil {
		return err
	}
	systemd := r.isDir("/etc/systemd/system")
	if systemd {
		unitDir := "/usr/lib/systemd/system"
		if !r.isDir(unitDir) && r.isDir("/lib/systemd/system") {
			unitDir = "/lib/systemd/system"
		}
		if err := fs.MkdirAll(r.root, unitDir, 0o755); err != nil {
			return err
		}
		unit := path.Join(unitDir, firstbootUnit)
		if err := r.root.WriteFile(unit, []byte(firstbootUnitText), 0o644); err != nil {
			return err
		}
		if err := fs.MkdirAll(r.root, "/etc/systemd/system/multi-user.target.wants", 0o755); err != nil {
			return err
		}
		if err := r.forceSymlink(unit, "/etc/systemd/system/multi-user.target.wants/"+firstbootUnit); err != nil {
			return err
		}
	}
	if !r.isDir("/etc/rc.d") && !r.isDir("/etc/init.d") {
		if systemd {
			return nil
		}
		return errors.New("cannot install a first-boot service: the guest has neither /etc/systemd/system nor /etc/rc.d or /etc/init.d")
	}
	var links map[string]string // link -> target
	switch {
	case r.g.IsRedHatLike():
		links = rcLinks("/etc/rc.d/rc%s.d/S99guestfs-firstboot", firstbootRunner)
	case r.g.IsSUSELike():
		links = rcLinks("/etc/init.d/rc%s.d/S99guestfs-firstboot", "../guestfs-firstboot")
		links["/etc/init.d/guestfs-firstboot"] = firstbootRunner
	case r.g.IsDebianLike():
		links = rcLinks("/etc/rc%s.d/S99guestfs-firstboot", "../init.d/guestfs-firstboot")
		links["/etc/init.d/guestfs-firstboot"] = firstbootRunner
	default:
		if systemd {
			return nil
		}
		return fmt.Errorf("cannot install a first-boot service on %s: no systemd, and its SysV layout is unknown", describe(r.g))
	}
	for _, l := range sortedKeys(links) {
		if err := fs.MkdirAll(r.root, path.Dir(l), 0o755); err != nil {
			return err
		}
		if err := r.forceSymlink(links[l], l); err != nil {
			return err
		}
	}
	return nil
}

func rcLinks(pattern, target string) map[string]string {
	m := map[string]string{}
	for _, lvl := range []string{"2", "3", "5"} {
		m[fmt.Sprintf(pattern, lvl)] = target
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// forceSymlink is ln -sfn: a non-directory at p is replaced.
func (r *run) forceSymlink(target, p string) error {
	st, err := r.root.Lstat(p)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("%s is a directory", p)
	case err == nil:
		if err := r.root.Remove(p); err != nil {
			return err
		}
	case !isNotExist(err):
		return err
	}
	return r.root.Symlink(target, p)
}
