package sysprep

import "context"

func init() { register(logfiles{}) }

// logfiles removes log files, with exactly virt-sysprep's glob list (every
// entry rm-rf). /var/log/journal itself stays; its per-machine-id
// directories go.
type logfiles struct{}

func (logfiles) Name() string    { return "logfiles" }
func (logfiles) Summary() string { return "Remove many log files from the guest" }
func (logfiles) DefaultOn() bool { return true }

// varLogGlobs are relative to /var/log.
var varLogGlobs = []string{
	"*.log*", "audit/*", "btmp*", "cron*", "dmesg*", "lastlog*", "maillog*",
	"mail/*", "messages*", "secure*", "spooler*", "tallylog*", "wtmp*",
	"apache2/*_log", "apache2/*_log-*", "ntp", "tuned/tuned.log", "debug*",
	"syslog*", "faillog*", "firewalld*", "grubby*", "xferlog*",
	"BackupPC/LOG", "ceph/*.log", "chrony/*.log", "cups/*_log*",
	"glusterfs/*glusterd.vol.log", "glusterfs/glusterfs.log", "httpd/*log",
	"jetty/jetty-console.log", "libvirt/libxl/*.log", "libvirt/libvirtd.log",
	"libvirt/lxc/*.log", "libvirt/qemu/*.log", "libvirt/uml/*.log",
	"ppp/connect-errors", "setroubleshoot/*.log", "squid/*.log",
	"anaconda.syslog", "anaconda/*", "installer/*", "sa/*", "gdm/*",
	"lightdm/*", "ntpstats/*", "rhsm/*", "journal/*", "aptitude*", "apt/*",
	"exim4/*", "ConsoleKit/*",
}

// otherLogGlobs are logs and traces outside /var/log.
var otherLogGlobs = []string{
	"/var/named/data/named.run",
	"/var/lib/logrotate.status",
	"/root/install.log", "/root/install.log.syslog", "/root/anaconda-ks.cfg",
	"/root/anaconda-post.log", "/root/initial-setup-ks.cfg", "/root/original-ks.cfg",
	"/var/cache/gdm/*",
	"/var/lib/AccountService/users/*", // sic, as in virt-sysprep
	"/var/lib/fprint/*",
	"/var/cache/fontconfig/*",
	"/var/cache/man/*",
	"/etc/Pegasus/*.cnf", "/etc/Pegasus/*.crt", "/etc/Pegasus/*.csr",
	"/etc/Pegasus/*.pem", "/etc/Pegasus/*.srl",
}

// logGlobs returns the full list, absolute.
func logGlobs() []string {
	out := make([]string, 0, len(varLogGlobs)+len(otherLogGlobs))
	for _, g := range varLogGlobs {
		out = append(out, "/var/log/"+g)
	}
	return append(out, otherLogGlobs...)
}

func (logfiles) Apply(_ context.Context, e *Env) error {
	if !e.Guest.IsLinux() {
		return nil
	}
	return rmrf(e, logGlobs()...)
}
