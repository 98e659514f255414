package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/crypt"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// TestRunRockyOnXFS is the RHEL-family path end to end: a Rocky Linux 9
// guest on XFS (what Rocky/Alma/RHEL cloud images ship), generalized with
// the defaults plus hostname and root password, then checked with
// xfs_repair -n, a read-only kernel mount and the raw output bytes. It also
// proves the departures virt-sysprep 1.48 gets wrong on Rocky: the ifcfg
// and NetworkManager MAC/hostname pins are cleaned, the password is hashed
// with the guest's SHA-512 (not MD5), the hostname is set.
func TestRunRockyOnXFS(t *testing.T) {
	testtool.Need(t, "mkfs.xfs", "xfs_repair", "qemu-img")
	testtool.NeedRoot(t)
	d := buildGuest(t, guestgen.Options{Distro: "rocky", FSType: "xfs", Format: "qcow2", Size: 1 << 30})
	before := testtool.SHA256File(t, d.Path)
	out := filepath.Join(t.TempDir(), "rocky-golden.qcow2")
	plan := sysprep.DefaultPlan()
	plan.Customize = []customize.Step{
		{Op: "hostname", Arg: "web01.example.com"},
		{Op: "root-password", Arg: "password:correct horse"},
	}
	res, err := Run(context.Background(), Job{Input: d.Path, Output: out, Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	if res.Guest.Distro != "rocky" || res.Guest.Family != "rhel" {
		t.Fatalf("guest %+v", res.Guest)
	}
	if testtool.SHA256File(t, d.Path) != before {
		t.Fatal("the input image changed")
	}

	raw := toRaw(t, out, "qcow2")
	root := d.Root()
	testtool.Fsck(t, "xfs", testtool.ExtractRange(t, raw, root.Off, root.Size))
	if found := testtool.FindInFile(t, raw, d.Secret, guestgen.HashSecret(d.Secret)); len(found) > 0 {
		t.Errorf("deleted or replaced data survives in the output image: %q", found)
	}

	mnt := testtool.Mount(t, "xfs", raw, root.Off, root.Size)
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(mnt, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		return string(b)
	}
	gone := func(p string) {
		if _, err := os.Lstat(filepath.Join(mnt, p)); err == nil {
			t.Errorf("%s survives", p)
		}
	}
	for _, p := range []string{
		"root/.bash_history", "home/rocky/.bash_history", "home/rocky/.ssh", "root/anaconda-ks.cfg",
		"etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_rsa_key.pub",
		"var/log/messages", "var/log/secure", "var/log/dnf.rpm.log", "var/log/cloud-init.log", "var/log/audit/audit.log",
		"var/lib/cloud/instances", "var/lib/cloud/seed", "var/lib/dhclient/dhclient-eth0.leases",
		"etc/NetworkManager/system-connections/eth0.nmconnection", "var/lib/NetworkManager/secret_key",
		"var/lib/NetworkManager/internal-0a1b-eth0.lease", "etc/udev/rules.d/70-persistent-net.rules",
		"etc/lvm/devices/system.devices", "var/lib/systemd/random-seed", "var/lib/systemd/credential.secret",
		"var/lib/rpm/__db.001", "var/cache/dnf/baseos-0123/repodata/primary.xml.gz", "var/spool/mail/rocky",
		"var/spool/cron/rocky", "tmp/ks-script-abc", "etc/shadow-", "etc/passwd-",
	} {
		gone(p)
	}
	if ifcfg := read("etc/sysconfig/network-scripts/ifcfg-eth0"); strings.Contains(ifcfg, "HWADDR") || strings.Contains(ifcfg, "DHCP_HOSTNAME") || !strings.Contains(ifcfg, "DEVICE=eth0") {
		t.Errorf("ifcfg-eth0 = %q: want HWADDR and DHCP_HOSTNAME gone, the rest kept", ifcfg)
	}
	if got := read("etc/machine-id"); got != "" {
		t.Errorf("machine-id = %q, want empty", got)
	}
	if got := read("etc/hostname"); got != "web01.example.com\n" {
		t.Errorf("hostname = %q", got)
	}
	if got := read("etc/machine-info"); !strings.Contains(got, "PRETTY_HOSTNAME=web01.example.com") {
		t.Errorf("machine-info = %q", got)
	}
	var rootHash string
	for _, l := range strings.Split(read("etc/shadow"), "\n") {
		if f := strings.Split(l, ":"); len(f) > 1 && f[0] == "root" {
			rootHash = f[1]
		}
	}
	if ok, err := crypt.Verify("correct horse", rootHash); !ok || err != nil || !strings.HasPrefix(rootHash, "$6$") {
		t.Errorf("root hash %q (%v): want SHA-512 per login.defs, verifying the new password", rootHash, err)
	}
	snap := testtool.Snapshot(t, mnt)
	for p, want := range map[string]string{"etc/shadow": "f 0000 0:0", "home/rocky": "d 0700 1000:1000", "etc/passwd": "f 0644 0:0"} {
		if !strings.HasPrefix(snap[p], want) {
			t.Errorf("%s = %q, want %s...", p, snap[p], want)
		}
	}
}
