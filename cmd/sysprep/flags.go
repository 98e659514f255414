package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/suggest"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/cloudinit"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep/customize"
)

// options is the parsed command line.
type options struct {
	input, output string
	format        string
	compress      string
	diskSize      int64
	operations    []string // --operations arguments, in order
	enable        []string // --enable arguments
	listOps       bool
	machineID     string
	steps         []customize.Step // customizations in command-line order
	keepUsers     []string
	removeUsers   []string
	cloudInitYAML string // content of --cloud-init-config
	cloudInitPath string
	cloudInitFile string
	clean         cloudinit.CleanOptions
	report        string
	dryRun        bool
	quiet         bool
	verbose       bool
	version       bool
	help          bool
}

// flagDef is one command-line option.
type flagDef struct {
	long  string
	short byte
	// arg is the metavariable shown in help; "" for a switch. A switch with
	// boolArg accepts --name=BOOL.
	arg     string
	boolArg bool
	topic   string
	help    string
	set     func(o *options, v string) error
}

// usageError is a command-line mistake: exit 2 with a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Help topics, in the order --help shows them.
const (
	topicIO        = "Input and output"
	topicOps       = "Operations"
	topicCustomize = "Customizations (virt-customize options, applied in command-line order)"
	topicAccounts  = "User accounts (the user-account operation)"
	topicCloudInit = "cloud-init"
	topicMisc      = "Reporting and diagnostics"
)

var topics = []string{topicIO, topicOps, topicCustomize, topicAccounts, topicCloudInit, topicMisc}

// flags returns the option table. Customization flags come from the
// customize package's supported options, so the two never drift apart.
func flags() []flagDef {
	defs := []flagDef{
		{long: "add", short: 'a', arg: "INPUT", topic: topicIO, help: "disk image to read (qcow2 or raw, detected by content); never modified",
			set: func(o *options, v string) error {
				if o.input != "" {
					return usagef("-a/--add given twice (%s, %s): one input image per run", o.input, v)
				}
				o.input = v
				return nil
			}},
		{long: "output", short: 'o', arg: "OUTPUT", topic: topicIO, help: "image to write (a new file, atomically); must not be the input",
			set: func(o *options, v string) error { o.output = v; return nil }},
		{long: "format", arg: "qcow2|raw", topic: topicIO, help: "OUTPUT's format (default: from OUTPUT's extension .qcow2/.raw/.img, else the input's). Note: virt-sysprep's --format names the input's",
			set: func(o *options, v string) error {
				if v != "qcow2" && v != "raw" {
					return usagef("--format %q: want qcow2 or raw", v)
				}
				o.format = v
				return nil
			}},
		{long: "compress", arg: "none|zlib|zstd", topic: topicIO, help: "compress OUTPUT's clusters (qcow2 only; default none)",
			set: func(o *options, v string) error {
				if v != "none" && v != "zlib" && v != "zstd" {
					return usagef("--compress %q: want none, zlib or zstd", v)
				}
				o.compress = v
				return nil
			}},
		{long: "disk-size", arg: "SIZE", topic: topicIO, help: "OUTPUT's virtual size, e.g. 20G, 512M or bytes; grow only (partitions are not resized)",
			set: func(o *options, v string) error {
				n, err := size.Parse(v)
				if err != nil {
					return usagef("--disk-size: %v", err)
				}
				o.diskSize = n
				return nil
			}},
		{long: "dry-run", short: 'n', topic: topicIO, help: "apply everything in memory, report, write no image",
			set: func(o *options, v string) error { o.dryRun = true; return nil }},

		{long: "operations", arg: "LIST", topic: topicOps, help: "operations to run, comma-separated, repeatable: names, -name, defaults, all (virt-sysprep semantics)",
			set: func(o *options, v string) error { o.operations = append(o.operations, v); return nil }},
		{long: "enable", arg: "LIST", topic: topicOps, help: "run exactly these operations (comma-separated names)",
			set: func(o *options, v string) error { o.enable = append(o.enable, v); return nil }},
		{long: "list-operations", topic: topicOps, help: "list the operations (* = default) and exit",
			set: func(o *options, v string) error { o.listOps = true; return nil }},
		{long: "machine-id", arg: "empty|uninitialized", topic: topicOps, help: "what /etc/machine-id holds afterwards (default empty: a new ID at boot)",
			set: func(o *options, v string) error {
				if v != "empty" && v != "uninitialized" {
					return usagef("--machine-id %q: want empty or uninitialized", v)
				}
				o.machineID = v
				return nil
			}},

		{long: "keep-user-accounts", arg: "USERS", topic: topicAccounts, help: "with user-account: remove every other normal account (comma-separated, repeatable)",
			set: func(o *options, v string) error { o.keepUsers = append(o.keepUsers, splitList(v)...); return nil }},
		{long: "remove-user-accounts", arg: "USERS", topic: topicAccounts, help: "with user-account: remove only these accounts (comma-separated, repeatable)",
			set: func(o *options, v string) error { o.removeUsers = append(o.removeUsers, splitList(v)...); return nil }},

		{long: "cloud-init-config", arg: "FILE", topic: topicCloudInit, help: "YAML mapping to bake into /etc/cloud/cloud.cfg.d/ (checked against cloud-init's rules)",
			set: func(o *options, v string) error {
				b, err := os.ReadFile(v)
				if err != nil {
					return usagef("--cloud-init-config: %v", unwrapPath(err))
				}
				o.cloudInitYAML, o.cloudInitPath = string(b), v
				return nil
			}},
		{long: "cloud-init-file", arg: "NAME", topic: topicCloudInit, help: "file name of the baked drop-in (default " + cloudinit.DefaultFileName + ")",
			set: func(o *options, v string) error { o.cloudInitFile = v; return nil }},
		{long: "cloud-init-clean-logs", boolArg: true, topic: topicCloudInit, help: "=BOOL: remove cloud-init's logs (default true)",
			set: func(o *options, v string) error { return setBool(&o.clean.Logs, "cloud-init-clean-logs", v) }},
		{long: "cloud-init-clean-seed", boolArg: true, topic: topicCloudInit, help: "=BOOL: remove /var/lib/cloud/seed too (default true)",
			set: func(o *options, v string) error { return setBool(&o.clean.Seed, "cloud-init-clean-seed", v) }},
		{long: "cloud-init-clean-machine-id", boolArg: true, topic: topicCloudInit, help: "=BOOL: reset the machine ID as cloud-init clean does (default true)",
			set: func(o *options, v string) error { return setBool(&o.clean.MachineID, "cloud-init-clean-machine-id", v) }},
		{long: "cloud-init-clean-configs", arg: "LIST", topic: topicCloudInit, help: "generated configs to remove: all, network, ssh_config, fstab",
			set: func(o *options, v string) error {
				o.clean.Configs = append(o.clean.Configs, splitList(v)...)
				return nil
			}},

		{long: "report", arg: "FILE", topic: topicMisc, help: "write a JSON report of the run (guest, every path touched, sizes)",
			set: func(o *options, v string) error { o.report = v; return nil }},
		{long: "quiet", short: 'q', topic: topicMisc, help: "print only errors and warnings",
			set: func(o *options, v string) error { o.quiet = true; return nil }},
		{long: "verbose", short: 'v', topic: topicMisc, help: "print details of every step (never passwords)",
			set: func(o *options, v string) error { o.verbose = true; return nil }},
		{long: "version", short: 'V', topic: topicMisc, help: "print the version and exit",
			set: func(o *options, v string) error { o.version = true; return nil }},
		{long: "help", short: 'h', topic: topicMisc, help: "print this help and exit",
			set: func(o *options, v string) error { o.help = true; return nil }},
	}
	for _, name := range customize.Options() {
		name := name
		h, ok := customizeHelp[name]
		if !ok {
			h = [2]string{"ARG", "virt-customize --" + name}
		}
		d := flagDef{long: name, arg: h[0], topic: topicCustomize, help: h[1],
			set: func(o *options, v string) error {
				o.steps = append(o.steps, customize.Step{Op: name, Arg: v})
				return nil
			}}
		defs = append(defs, d)
	}
	return defs
}

// customizeHelp is the metavariable and help of each customization.
var customizeHelp = map[string][2]string{
	"hostname":           {"NAME", "set the host name"},
	"timezone":           {"TZ", "set the time zone (e.g. Europe/London)"},
	"root-password":      {"SELECTOR", "set root's password: password:PASS, file:FILE, random, disabled, locked[:SELECTOR]"},
	"password":           {"USER:SELECTOR", "set USER's password (selectors as for --root-password)"},
	"password-crypto":    {"md5|sha256|sha512|yescrypt", "password hash scheme (default: the guest's ENCRYPT_METHOD)"},
	"ssh-inject":         {"USER[:SELECTOR]", "add a key to USER's authorized_keys: file:FILE or string:KEY"},
	"write":              {"FILE:CONTENT", "write CONTENT to FILE"},
	"upload":             {"HOSTFILE:DEST", "copy a host file into the guest"},
	"copy-in":            {"HOSTPATH:DIR", "copy a host file or tree into DIR"},
	"mkdir":              {"DIR", "create a directory (and its parents)"},
	"delete":             {"PATH", "delete a file or tree"},
	"scrub":              {"FILE", "overwrite a file, then delete it"},
	"chmod":              {"PERMS:FILE", "change permissions (octal)"},
	"chown":              {"UID:GID:PATH", "change owner (numeric ids)"},
	"link":               {"TARGET:LINK[:LINK..]", "create symbolic links"},
	"move":               {"SOURCE:DEST", "move a file or tree inside the guest"},
	"copy":               {"SOURCE:DEST", "copy a file or tree inside the guest"},
	"touch":              {"FILE", "create an empty file or update its times"},
	"truncate":           {"FILE", "truncate a file to zero size"},
	"truncate-recursive": {"PATH", "truncate every file under PATH"},
	"append-line":        {"FILE:LINE", "append LINE to FILE (adding a final newline when missing)"},
	"firstboot":          {"SCRIPT", "install a host script to run at the guest's first boot"},
	"firstboot-command":  {"CMD", "run CMD at the guest's first boot"},
	"selinux-relabel":    {"", "relabel the guest's files at next boot (touch /.autorelabel)"},
	"add-user":           {"NAME[:ATTR...][:SELECTOR]", "add a user; ATTR: uid=N, groups=G,G, shell=PATH, home=PATH, gecos=TEXT, sudo"},
}

func setBool(dst *bool, name, v string) error {
	if v == "" {
		*dst = true
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return usagef("--%s=%s: want true or false", name, v)
	}
	*dst = b
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// unwrapPath drops the "open FILE:" wrapper of a *PathError, keeping the
// path once: "x.yaml: no such file or directory".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// foreignOptions are virt-sysprep / virt-customize options sysprep does not
// have, with what to do instead (so scripts being ported get an answer, not
// a guess).
var foreignOptions = map[string]string{
	"domain":             "sysprep works on image files only: give the domain's disk with -a",
	"connect":            "sysprep works on image files only: give the disk with -a",
	"script":             "host scripts would need the guest mounted on the host: use --firstboot or customizations",
	"scriptdir":          "host scripts are not supported: use --firstboot or customizations",
	"mount-options":      "filesystems are edited offline; there are no mount options",
	"run":                "sysprep never runs guest code offline: use --firstboot to run it at first boot",
	"run-command":        "sysprep never runs guest code offline: use --firstboot-command",
	"install":            "installing packages runs guest code: use --firstboot-command 'apt-get install -y ...' or cloud-init packages",
	"update":             "updating packages runs guest code: use --firstboot-command or cloud-init package_upgrade",
	"uninstall":          "removing packages runs guest code: use --firstboot-command",
	"edit":               "Perl expressions are not supported: use --write, --append-line or --upload",
	"commands-from-file": "give the options on the command line",
	"network":            "sysprep never starts an appliance, so there is no network to enable",
	"no-network":         "sysprep never starts an appliance; nothing to disable",
	"smp":                "sysprep never starts an appliance",
	"memsize":            "sysprep never starts an appliance",
	"sm-credentials":     "subscription-manager runs guest code: use --firstboot-command",
	"sm-register":        "subscription-manager runs guest code: use --firstboot-command",
	"sm-attach":          "subscription-manager runs guest code: use --firstboot-command",
	"sm-remove":          "subscription-manager runs guest code: use --firstboot-command",
	"sm-unregister":      "subscription-manager runs guest code: use --firstboot-command",
	"firstboot-install":  "installing packages runs guest code: use --firstboot-command",
	"key":                "encrypted disks are not supported: decrypt the image first",
	"keys-from-stdin":    "encrypted disks are not supported: decrypt the image first",
	"inject-virtio-win":  "Windows guests are not supported",
	"inject-qemu-ga":     "Windows guests are not supported",
	"inject-blnsvr":      "Windows guests are not supported",
}

// parse reads the command line GNU-style: --name=value, --name value,
// -x value, -xvalue; "--" ends options. There are no positional arguments.
func parse(args []string) (*options, error) {
	o := &options{clean: cloudinit.DefaultCleanOptions()}
	defs := flags()
	byLong := map[string]*flagDef{}
	byShort := map[byte]*flagDef{}
	for i := range defs {
		byLong[defs[i].long] = &defs[i]
		if defs[i].short != 0 {
			byShort[defs[i].short] = &defs[i]
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var d *flagDef
		var val string
		hasVal := false
		switch {
		case a == "--":
			if i+1 < len(args) {
				return nil, usagef("unexpected argument %q: sysprep takes options only (the image goes after -a)", args[i+1])
			}
			return o, nil
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			if k := strings.IndexByte(name, '='); k >= 0 {
				name, val, hasVal = name[:k], name[k+1:], true
			}
			if d = byLong[name]; d == nil {
				if why, ok := foreignOptions[name]; ok {
					return nil, usagef("--%s (a virt-sysprep/virt-customize option) is not supported: %s", name, why)
				}
				return nil, usagef("unknown option --%s%s", name, suggestFlag(name, defs))
			}
		case strings.HasPrefix(a, "-") && len(a) >= 2:
			if d = byShort[a[1]]; d == nil {
				return nil, usagef("unknown option %s%s", a, suggestFlag(strings.TrimLeft(a, "-"), defs))
			}
			if len(a) > 2 {
				if d.arg == "" && !d.boolArg { // -qv: a bundle of switches
					args = append(args[:i+1:i+1], append([]string{"-" + a[2:]}, args[i+1:]...)...)
				} else {
					val, hasVal = strings.TrimPrefix(a[2:], "="), true
				}
			}
		default:
			return nil, usagef("unexpected argument %q: sysprep takes options only (did you mean -a %s?)", a, a)
		}
		switch {
		case d.arg == "" && !d.boolArg:
			if hasVal {
				return nil, usagef("option --%s takes no value", d.long)
			}
		case d.arg == "" && d.boolArg:
			// --name or --name=BOOL
		case !hasVal:
			if i+1 >= len(args) {
				return nil, usagef("option --%s needs a value (%s)", d.long, d.arg)
			}
			i++
			val = args[i]
		}
		if err := d.set(o, val); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// suggestFlag proposes the nearest long option name.
func suggestFlag(name string, defs []flagDef) string {
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.long
	}
	if best := suggest.Nearest(name, names); best != "" {
		return fmt.Sprintf(" (did you mean --%s?)", best)
	}
	return ""
}
