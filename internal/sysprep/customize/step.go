package customize

import (
	"fmt"
	"sort"
)

// Step is one customization in virt-customize syntax: Op is the option name
// without dashes ("hostname", "write", "root-password"...), Arg its argument
// exactly as on virt-customize's command line ("/etc/motd:hello").
type Step struct {
	Op  string
	Arg string
}

// phase orders steps: virt-customize sets passwords after every other
// option and relabels SELinux last.
type phase int

const (
	phaseNormal phase = iota
	phasePassword
	phaseRelabel
)

// option is one supported Op.
type option struct {
	validate func(arg string) error
	apply    func(r *run, arg string) error
	phase    phase
	// redact returns the argument fit for logs and errors (passwords hidden).
	redact func(arg string) string
}

// options is filled by init so that the table may refer to apply functions
// that themselves look options up.
var options map[string]option

func init() {
	options = map[string]option{
		"hostname":           {validate: validateHostname, apply: applyHostname},
		"timezone":           {validate: validateTimezone, apply: applyTimezone},
		"root-password":      {validate: validateRootPassword, apply: nop, phase: phasePassword, redact: redactSelector},
		"password":           {validate: validatePassword, apply: nop, phase: phasePassword, redact: redactSelector},
		"password-crypto":    {validate: validatePasswordCrypto, apply: nop, phase: phasePassword},
		"ssh-inject":         {validate: validateSSHInject, apply: applySSHInject, redact: redactSSHInject},
		"write":              {validate: validateWrite, apply: applyWrite},
		"upload":             {validate: validateUpload, apply: applyUpload},
		"copy-in":            {validate: validateCopyIn, apply: applyCopyIn},
		"mkdir":              {validate: validateMkdir, apply: applyMkdir},
		"delete":             {validate: validateDelete, apply: applyDelete},
		"scrub":              {validate: validateScrub, apply: applyScrub},
		"chmod":              {validate: validateChmod, apply: applyChmod},
		"chown":              {validate: validateChown, apply: applyChown},
		"link":               {validate: validateLink, apply: applyLink},
		"move":               {validate: validateMove, apply: applyMove},
		"copy":               {validate: validateCopy, apply: applyCopy},
		"touch":              {validate: validateTouch, apply: applyTouch},
		"truncate":           {validate: validateTruncate, apply: applyTruncate},
		"truncate-recursive": {validate: validateTruncateRecursive, apply: applyTruncateRecursive},
		"append-line":        {validate: validateAppendLine, apply: applyAppendLine},
		"firstboot":          {validate: validateFirstboot, apply: applyFirstboot},
		"firstboot-command":  {validate: validateFirstbootCommand, apply: applyFirstbootCommand},
		"selinux-relabel":    {validate: validateSELinuxRelabel, apply: applySELinuxRelabel, phase: phaseRelabel},
		"add-user":           {validate: validateAddUser, apply: applyAddUser, redact: redactSelector},
	}
}

func nop(*run, string) error { return nil }

// Options returns the supported option names, sorted.
func Options() []string {
	out := make([]string, 0, len(options))
	for n := range options {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// String returns the step as on a command line, with any password hidden:
// `--write "/etc/motd:hello"`.
func (s Step) String() string {
	arg := s.Arg
	if o, ok := options[s.Op]; ok && o.redact != nil {
		arg = o.redact(arg)
	}
	if arg == "" {
		return "--" + s.Op
	}
	return fmt.Sprintf("--%s %q", s.Op, arg)
}

// wrap prefixes err with the step: `customize --chmod "99x:/etc/x": bad mode "99x"`.
func (s Step) wrap(err error) error {
	return fmt.Errorf("customize %s: %w", s, err)
}
