package customize

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestFirstbootSystemdRHEL(t *testing.T) {
	script := filepath.Join(t.TempDir(), "Setup Disks.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nmkfs /dev/vdb\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := testtool.Tree{"etc/systemd/system/": "", "usr/lib/systemd/system/": "", "root/": ""}
	res := mustApply(t, rocky9(), tr, Step{"firstboot", script}, Step{"firstboot-command", "dnf -y update && reboot"})
	wantDiff(t, res.diff,
		`+ /usr/lib/virt-sysprep d 0755 0:0`,
		`+ /usr/lib/virt-sysprep/firstboot.sh f 0755 0:0 `+quoteLen(firstbootRunnerText),
		`+ /usr/lib/virt-sysprep/scripts d 0755 0:0`,
		`+ /usr/lib/virt-sysprep/scripts-done d 0755 0:0`,
		`+ /usr/lib/virt-sysprep/scripts/5000-0001--etup--isks-sh f 0755 0:0 "#!/bin/sh\nmkfs /dev/vdb\n"`,
		`+ /usr/lib/virt-sysprep/scripts/5000-0002-dnf--y-update----reboot f 0755 0:0 "dnf -y update && reboot"`,
		`+ /usr/lib/systemd/system/guestfs-firstboot.service f 0644 0:0 `+quoteLen(firstbootUnitText),
		`+ /etc/systemd/system/multi-user.target.wants d 0755 0:0`,
		`+ /etc/systemd/system/multi-user.target.wants/guestfs-firstboot.service l 0777 0:0 -> /usr/lib/systemd/system/guestfs-firstboot.service`)
	if !strings.Contains(firstbootUnitText, "ExecStart=/usr/lib/virt-sysprep/firstboot.sh start") {
		t.Fatal("unit does not start the runner")
	}
}

// quoteLen renders content as FSSnapshot does.
func quoteLen(s string) string {
	if len(s) > 512 {
		return "(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

func TestFirstbootDebianSysVAndLibSystemd(t *testing.T) {
	tr := testtool.Tree{"etc/systemd/system/": "", "lib/systemd/system/": "", "etc/init.d/": "",
		"usr/lib/virt-sysprep/scripts-done/5000-0001-old": "done before"}
	res := mustApply(t, debian12(), tr, Step{"firstboot-command", "echo hi"})
	got := strings.Join(res.diff, "\n")
	for _, want := range []string{
		`+ /lib/systemd/system/guestfs-firstboot.service f 0644 0:0`,
		`+ /etc/systemd/system/multi-user.target.wants/guestfs-firstboot.service l 0777 0:0 -> /lib/systemd/system/guestfs-firstboot.service`,
		`+ /etc/init.d/guestfs-firstboot l 0777 0:0 -> /usr/lib/virt-sysprep/firstboot.sh`,
		`+ /etc/rc2.d/S99guestfs-firstboot l 0777 0:0 -> ../init.d/guestfs-firstboot`,
		`+ /etc/rc3.d/S99guestfs-firstboot l 0777 0:0 -> ../init.d/guestfs-firstboot`,
		`+ /etc/rc5.d/S99guestfs-firstboot l 0777 0:0 -> ../init.d/guestfs-firstboot`,
		`+ /usr/lib/virt-sysprep/scripts/5000-0002-echo-hi f 0755 0:0 "echo hi"`, // 0001 was used by an earlier run
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "/usr/lib/systemd") {
		t.Errorf("unit written to /usr/lib/systemd although only /lib/systemd/system exists:\n%s", got)
	}
}

func TestFirstbootRHELSysV(t *testing.T) {
	res := mustApply(t, centos6(), testtool.Tree{"etc/rc.d/": ""}, Step{"firstboot-command", "x"})
	got := strings.Join(res.diff, "\n")
	for _, lvl := range []string{"2", "3", "5"} {
		want := `+ /etc/rc.d/rc` + lvl + `.d/S99guestfs-firstboot l 0777 0:0 -> /usr/lib/virt-sysprep/firstboot.sh`
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(got, "systemd") {
		t.Errorf("systemd unit without /etc/systemd/system:\n%s", got)
	}
}

func TestFirstbootNoInit(t *testing.T) {
	_, err := apply(t, unknownLinux(), testtool.Tree{"etc/": ""}, Step{"firstboot-command", "x"})
	wantErr(t, err, "neither /etc/systemd/system")
	res := mustApply(t, unknownLinux(), testtool.Tree{"etc/systemd/system/": ""}, Step{"firstboot-command", "x"})
	if len(res.diff) == 0 {
		t.Fatal("nothing installed on a systemd guest of unknown family")
	}
}

func TestFirstbootRunnerIsValidShell(t *testing.T) {
	testtool.Need(t, "sh")
	p := filepath.Join(t.TempDir(), "firstboot.sh")
	if err := os.WriteFile(p, []byte(firstbootRunnerText), 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "sh", "-n", p)
	if got := scriptName(strings.Repeat("a", 70)); len(got) != 60 {
		t.Errorf("script name not capped at 60: %d", len(got))
	}
}
