package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestHostnameDebianRewritesHosts(t *testing.T) {
	tr := testtool.Tree{
		"etc/hostname": "old.example.com\n",
		"etc/hosts": "127.0.0.1\tlocalhost\n127.0.1.1\told.example.com old  # old.example.com stays in comments\n" +
			"10.0.0.1 older oldhost unassigned-hostname\n::1 localhost ip6-localhost\n",
	}
	res := mustApply(t, debian12(), tr, Step{"hostname", "web1.corp.test"})
	wantDiff(t, res.diff,
		`~ /etc/hostname f 0644 0:0 "web1.corp.test\n"`,
		`~ /etc/hosts f 0644 0:0 "127.0.0.1\tlocalhost\n127.0.1.1\tweb1.corp.test web1  # old.example.com stays in comments\n10.0.0.1 older oldhost web1\n::1 localhost ip6-localhost\n"`,
	)
}

func TestHostnameDebianUnassigned(t *testing.T) {
	tr := testtool.Tree{
		"etc/hostname": "unassigned-hostname\n",
		"etc/hosts":    "127.0.1.1 unassigned-hostname.unassigned-domain unassigned-hostname\n",
	}
	res := mustApply(t, ubuntu2204(), tr, Step{"hostname", "db.example.org"})
	wantDiff(t, res.diff,
		`~ /etc/hostname f 0644 0:0 "db.example.org\n"`,
		`~ /etc/hosts f 0644 0:0 "127.0.1.1 db.example.org db\n"`,
	)
}

func TestHostnameRHELFamily(t *testing.T) {
	// rocky and alma are RHEL by family: virt-customize 1.48.2 only warns on rocky.
	for _, c := range []struct {
		g    *guest.Guest
		tr   testtool.Tree
		want []string
	}{
		{rocky9(), testtool.Tree{"etc/hostname": "localhost.localdomain\n", "etc/machine-info": "PRETTY_HOSTNAME=old\nICON_NAME=computer-vm"},
			[]string{`~ /etc/hostname f 0644 0:0 "node7\n"`, `~ /etc/machine-info f 0644 0:0 "ICON_NAME=computer-vm\nPRETTY_HOSTNAME=node7\n"`}},
		{alma8(), testtool.Tree{"etc/": ""},
			[]string{`+ /etc/hostname f 0644 0:0 "node7\n"`, `+ /etc/machine-info f 0644 0:0 "PRETTY_HOSTNAME=node7\n"`}},
		{fedora40(), testtool.Tree{"etc/hostname": "fedora\n"},
			[]string{`~ /etc/hostname f 0644 0:0 "node7\n"`, `+ /etc/machine-info f 0644 0:0 "PRETTY_HOSTNAME=node7\n"`}},
	} {
		t.Run(c.g.Distro, func(t *testing.T) {
			res := mustApply(t, c.g, c.tr, Step{"hostname", "node7"})
			wantDiff(t, res.diff, c.want...)
		})
	}
}

func TestHostnameOldRHEL(t *testing.T) {
	tr := testtool.Tree{"etc/sysconfig/network": "NETWORKING=yes\nHOSTNAME=old\n"}
	res := mustApply(t, centos6(), tr, Step{"hostname", "c6.example.com"})
	wantDiff(t, res.diff, `~ /etc/sysconfig/network f 0644 0:0 "NETWORKING=yes\nHOSTNAME=c6.example.com\n"`)
}

func TestHostnameSUSENoNewline(t *testing.T) {
	res := mustApply(t, suse15(), testtool.Tree{"etc/HOSTNAME": "linux\n"}, Step{"hostname", "leap"})
	wantDiff(t, res.diff, `~ /etc/HOSTNAME f 0644 0:0 "leap"`)
}

func TestHostnameUnknownFamilyIsAnError(t *testing.T) {
	res, err := apply(t, unknownLinux(), testtool.Tree{"etc/hostname": "x\n"}, Step{"hostname", "y"})
	wantErr(t, err, `customize --hostname "y"`, "plan9ish", "nothing changed")
	wantDiff(t, res.diff)
}

func TestHostnameValidate(t *testing.T) {
	for _, bad := range []string{"", "-x", "a..b", "under_score", "x" + string(make([]byte, 64))} {
		if err := (Step{"hostname", bad}).Validate(); err == nil {
			t.Errorf("hostname %q accepted", bad)
		}
	}
	if err := (Step{"hostname", "a-1.example.com"}).Validate(); err != nil {
		t.Error(err)
	}
}
