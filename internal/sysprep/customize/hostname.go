package customize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/guest"
)

// validateHostname accepts a host name or FQDN (RFC 1123 labels).
func validateHostname(arg string) error {
	if arg == "" {
		return errors.New("empty host name")
	}
	if len(arg) > 253 {
		return fmt.Errorf("host name is %d characters, at most 253", len(arg))
	}
	for _, l := range strings.Split(arg, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("bad host name %q: each dot-separated label must be 1-63 characters, not starting or ending with '-'", arg)
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("bad host name %q: only letters, digits, '-' and '.'", arg)
			}
		}
	}
	return nil
}

func shortName(h string) string {
	s, _, _ := strings.Cut(h, ".")
	return s
}

// applyHostname writes the host name where the guest's family keeps it.
func applyHostname(r *run, name string) error {
	g := r.g
	switch {
	case g.IsRedHatLike():
		newStyle := g.Major == 0 || g.Major >= 7
		if g.Family == guest.FamilyFedora {
			newStyle = g.Major == 0 || g.Major >= 18
		}
		if !newStyle {
			return r.setKeyLine("/etc/sysconfig/network", "HOSTNAME=", "HOSTNAME="+name)
		}
		if err := r.writeFile("/etc/hostname", []byte(name+"\n"), 0o644); err != nil {
			return err
		}
		return r.setKeyLine("/etc/machine-info", "PRETTY_HOSTNAME=", "PRETTY_HOSTNAME="+name)
	case g.IsDebianLike():
		old := ""
		if data, ok, err := r.readFile("/etc/hostname"); err != nil {
			return err
		} else if ok {
			old, _, _ = strings.Cut(string(data), "\n")
			old = strings.TrimSpace(old)
		}
		if err := r.writeFile("/etc/hostname", []byte(name+"\n"), 0o644); err != nil {
			return err
		}
		return r.rewriteHosts(old, name)
	case g.IsSUSELike():
		return r.writeFile("/etc/HOSTNAME", []byte(name), 0o644)
	case g.IsLinux() && (g.Family == guest.FamilyArch || g.Family == guest.FamilyAlpine):
		return r.writeFile("/etc/hostname", []byte(name+"\n"), 0o644)
	}
	return fmt.Errorf("do not know where %s keeps its host name (distro %q, family %q): nothing changed; supported: Debian, RHEL, Fedora, SUSE, Arch and Alpine families",
		describe(g), g.Distro, g.Family)
}

func describe(g *guest.Guest) string {
	if g.PrettyName != "" {
		return g.PrettyName
	}
	if g.Distro != "" {
		return g.Distro
	}
	return "this guest"
}

// setKeyLine drops every line of file starting with prefix and appends
// line; a missing file is created (0644). The file keeps its newline state
// for the other lines.
func (r *run) setKeyLine(file, prefix, line string) error {
	data, _, err := r.readFile(file)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range splitLines(string(data)) {
		if strings.HasPrefix(l, prefix) {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString(line)
	b.WriteByte('\n')
	return r.writeFile(file, []byte(b.String()), 0o644)
}

// splitLines splits on "\n" without a last empty element.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// rewriteHosts renames the old host name in /etc/hosts, as virt-customize
// does on Debian (there with Augeas): in every canonical-name or alias
// field, the old FQDN becomes NAME, the old short name the new short name,
// "unassigned-hostname" the new short name and, when NAME has a domain,
// "unassigned-hostname.unassigned-domain" NAME. Everything else, spacing
// and comments included, is kept byte for byte.
func (r *run) rewriteHosts(old, name string) error {
	data, ok, err := r.readFile("/etc/hosts")
	if err != nil || !ok {
		return err
	}
	repl := map[string]string{"unassigned-hostname": shortName(name)}
	if strings.Contains(name, ".") {
		repl["unassigned-hostname.unassigned-domain"] = name
	}
	if old != "" {
		repl[shortName(old)] = shortName(name)
		if strings.Contains(old, ".") {
			repl[old] = name
		}
	}
	lines := strings.SplitAfter(string(data), "\n")
	changed := false
	for i, l := range lines {
		body, comment, hasComment := strings.Cut(l, "#")
		nl := ""
		if !hasComment {
			for _, suf := range []string{"\r\n", "\n"} {
				if strings.HasSuffix(body, suf) {
					body, nl = strings.TrimSuffix(body, suf), suf
					break
				}
			}
		}
		nb := replaceHostFields(body, repl)
		if nb != body {
			changed = true
			if hasComment {
				lines[i] = nb + "#" + comment
			} else {
				lines[i] = nb + nl
			}
		}
	}
	if !changed {
		return nil
	}
	return r.writeFile("/etc/hosts", []byte(strings.Join(lines, "")), 0o644)
}

// replaceHostFields replaces whole fields after the first (the address),
// keeping the separators.
func replaceHostFields(line string, repl map[string]string) string {
	var b strings.Builder
	field := 0
	i := 0
	for i < len(line) {
		if line[i] == ' ' || line[i] == '\t' {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		tok := line[i:j]
		if nv, ok := repl[tok]; ok && field > 0 {
			tok = nv
		}
		b.WriteString(tok)
		field++
		i = j
	}
	return b.String()
}
