package sysprep

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// referenceDefaults is virt-sysprep's operation table (reference §1, the
// newest guestfs-tools): name -> on by default.
var referenceDefaults = map[string]bool{
	"abrt-data": true, "backup-files": true, "bash-history": true, "blkid-tab": true,
	"ca-certificates": false, "crash-data": true, "cron-spool": true, "customize": true,
	"dhcp-client-state": true, "dhcp-server-state": true, "dovecot-data": true,
	"firewall-rules": false, "flag-reconfiguration": false, "fs-uuids": false,
	"ipa-client": true, "kerberos-data": false, "kerberos-hostkeytab": true, "logfiles": true,
	"lvm-system-devices": true, "lvm-uuids": true, "machine-id": true, "mail-spool": true,
	"net-hostname": true, "net-hwaddr": true, "net-nmconn": true, "pacct-log": true,
	"package-manager-cache": true, "pam-data": true, "passwd-backups": true,
	"puppet-data-log": true, "rh-subscription-manager": true, "rhn-systemid": true,
	"rpm-db": true, "samba-db-log": true, "script": true, "smolt-uuid": true,
	"ssh-hostkeys": true, "ssh-userdir": true, "sssd-db-log": true, "tmp-files": true,
	"udev-persistent-net": true, "user-account": false, "utmp": true, "yum-uuid": true,
	"zsh-history": true,
}

// notOffered are reference operations we deliberately do not provide:
// device operations that break booting or need LVM tools (fs-uuids,
// lvm-uuids) and host scripts over FUSE (script).
var notOffered = []string{"fs-uuids", "lvm-uuids", "script"}

// ourAdditions are operations virt-sysprep does not have -> default.
var ourAdditions = map[string]bool{"random-seed": true, "network-manager-state": true, "systemd-credential-secret": true}

// isCloudInitOp reports the cloud-init operations (another file set owns
// them; virt-sysprep has none, RFE libguestfs#119).
func isCloudInitOp(name string) bool { return strings.HasPrefix(name, "cloud-init") }

func TestListOperations(t *testing.T) {
	if n := len(referenceDefaults); n != 45 {
		t.Fatalf("reference table has %d rows, want 45", n)
	}
	ops := Operations()
	var names []string
	for _, op := range ops {
		n := op.Name()
		names = append(names, n)
		if s := op.Summary(); s == "" || strings.ContainsAny(s, "\n\r") || len(s) > 80 {
			t.Errorf("%s: summary %q: want one line of at most 80 characters", n, s)
		}
		if slices.Contains(notOffered, n) {
			t.Errorf("%s is registered but deliberately not offered", n)
		}
		want, inRef := referenceDefaults[n]
		if add, ok := ourAdditions[n]; ok {
			want, inRef = add, true
		}
		switch {
		case isCloudInitOp(n):
			t.Logf("%s (cloud-init, ours): default %v", n, op.DefaultOn())
		case !inRef:
			t.Errorf("%s: not in virt-sysprep's table nor among our additions", n)
		case op.DefaultOn() != want:
			t.Errorf("%s: DefaultOn = %v, the reference says %v", n, op.DefaultOn(), want)
		}
	}
	if !sort.StringsAreSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("Operations() not sorted and unique: %v", names)
	}

	// Every reference operation we offer is registered.
	for n := range referenceDefaults {
		if slices.Contains(notOffered, n) {
			continue
		}
		if _, ok := Lookup(n); !ok {
			t.Errorf("reference operation %s is not registered", n)
		}
	}
	for n := range ourAdditions {
		if _, ok := Lookup(n); !ok {
			t.Errorf("addition %s is not registered", n)
		}
	}

	// "defaults" = the reference's defaults (minus those not offered) plus
	// our additions (plus the cloud-init operations that choose to be on).
	var want []string
	for n, on := range referenceDefaults {
		if _, ok := Lookup(n); on && ok {
			want = append(want, n)
		}
	}
	for n, on := range ourAdditions {
		if on {
			want = append(want, n)
		}
	}
	for _, op := range ops {
		if isCloudInitOp(op.Name()) && op.DefaultOn() {
			want = append(want, op.Name())
		}
	}
	sort.Strings(want)
	got, err := ResolveOperations(nil)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("defaults:\n got %v\nwant %v (%v)", got, want, err)
	}
	for _, n := range notOffered {
		if _, err := ResolveOperations([]string{n}); err == nil {
			t.Errorf("%s: selecting it must fail", n)
		}
	}
}

func TestRunRefusesNoGuest(t *testing.T) {
	if _, err := Run(t.Context(), nil, nil, &Plan{}, RunOptions{}); err == nil {
		t.Fatal("Run without a guest: want an error")
	}
}

func TestOperationsOnUnknownGuest(t *testing.T) {
	// A guest inspection could not classify: every operation must cope
	// (no panic), and the family-gated ones do nothing.
	g := &guest.Guest{OS: "linux", Distro: "mystery", Family: guest.FamilyUnknown}
	var all []string
	for _, op := range Operations() {
		if !isCloudInitOp(op.Name()) && op.Name() != "user-account" {
			all = append(all, op.Name())
		}
	}
	checkOp(t, "", opCase{
		guest: g,
		ops:   all,
		tree: map[string]string{
			"etc/sysconfig/network-scripts/ifcfg-eth0": "HWADDR=52:54:00:00:00:01\n",
			"etc/pki/tls/certs/site.crt":               "c",
			"var/account/pacct.1":                      "kept: no family, no pacct location",
		},
		removed:  abs("etc/pki/tls/certs/site.crt"),
		created:  abs(".unconfigured"),
		warnings: []string{"does not know how"},
	})
}
