package sysprep

import (
	"strings"
)

// Netplan pins a configuration to a NIC with
//
//	ethernets:
//	  ens3:
//	    match:
//	      macaddress: "52:54:00:12:34:56"
//	    set-name: ens3
//
// and sets a fixed address with a "macaddress:" key directly under the
// interface. netplanUnpin edits block-style YAML line by line, keeping every
// other byte:
//   - a "macaddress:" directly under an interface is dropped;
//   - a "macaddress:" in a "match:" with other keys is dropped;
//   - a "match:" whose only key is "macaddress:" is dropped with its
//     sibling "set-name:" (netplan refuses set-name without match), so the
//     configuration applies to the interface named like its id.
//
// YAML it cannot edit safely (flow style, tabs, list items) is left alone
// with a warning, never guessed at.

// yamlLine is one line of a block-style YAML document.
type yamlLine struct {
	text   string // with its "\n"
	indent int    // leading spaces; -1 for a blank or comment-only line
	key    string // the mapping key, "" when the line is not "key:" or "key: value"
}

func parseYAMLLines(lines []string) ([]yamlLine, bool) {
	out := make([]yamlLine, len(lines))
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		t := strings.TrimLeft(body, " ")
		out[i] = yamlLine{text: l, indent: -1}
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(t, "\t") {
			return nil, false
		}
		out[i].indent = len(body) - len(t)
		if k, _, ok := strings.Cut(t, ":"); ok && !strings.ContainsAny(k, "{}[]\"' ") && !strings.HasPrefix(k, "- ") {
			out[i].key = k
		}
	}
	return out, true
}

// blockEnd returns the index after the block of line i: the following
// lines indented deeper than it (and blank or comment lines among them).
func blockEnd(ls []yamlLine, i int) int {
	end := i + 1
	for j := i + 1; j < len(ls); j++ {
		if ls[j].indent < 0 {
			continue
		}
		if ls[j].indent <= ls[i].indent {
			break
		}
		end = j + 1
	}
	return end
}

// parentOf returns the index of the line owning line i, or -1.
func parentOf(ls []yamlLine, i int) int {
	for j := i - 1; j >= 0; j-- {
		if ls[j].indent >= 0 && ls[j].indent < ls[i].indent {
			return j
		}
	}
	return -1
}

// childKeys lists the indexes of the direct children of line p.
func childKeys(ls []yamlLine, p int) []int {
	var out []int
	end := blockEnd(ls, p)
	depth := -1
	for j := p + 1; j < end; j++ {
		if ls[j].indent < 0 {
			continue
		}
		if depth < 0 {
			depth = ls[j].indent
		}
		if ls[j].indent == depth {
			out = append(out, j)
		}
	}
	return out
}

// netplanUnpin returns the edited lines, or ok=false when the document has
// a macaddress it cannot edit safely.
func netplanUnpin(lines []string) (out []string, ok bool) {
	ls, ok := parseYAMLLines(lines)
	if !ok {
		for _, l := range lines {
			if strings.Contains(l, "macaddress") {
				return lines, false
			}
		}
		return lines, true
	}
	drop := make([]bool, len(ls))
	dropBlock := func(i int) {
		for j := i; j < blockEnd(ls, i); j++ {
			drop[j] = true
		}
	}
	for i, l := range ls {
		if l.key != "macaddress" {
			if strings.Contains(l.text, "macaddress") && l.indent >= 0 && !strings.HasPrefix(strings.TrimSpace(l.text), "#") {
				return lines, false // flow style, quoted key, list item...
			}
			continue
		}
		p := parentOf(ls, i)
		if p < 0 {
			return lines, false
		}
		if ls[p].key != "match" {
			dropBlock(i) // a fixed address set on the interface
			continue
		}
		if len(childKeys(ls, p)) > 1 {
			dropBlock(i)
			continue
		}
		dropBlock(p)
		if gp := parentOf(ls, p); gp >= 0 {
			for _, c := range childKeys(ls, gp) {
				if ls[c].key == "set-name" {
					dropBlock(c)
				}
			}
		}
	}
	for i, l := range ls {
		if !drop[i] {
			out = append(out, l.text)
		}
	}
	return out, true
}

// netplanUnpinAll applies netplanUnpin to each file matching the patterns.
func netplanUnpinAll(e *Env, patterns ...string) error {
	for _, pat := range patterns {
		ms, err := glob(e, pat)
		if err != nil {
			return err
		}
		for _, p := range ms {
			unsafe := false
			changed, err := editLines(e, p, func(lines []string) []string {
				out, ok := netplanUnpin(lines)
				if !ok {
					unsafe = true
					return lines
				}
				return out
			})
			if err != nil {
				return err
			}
			if unsafe {
				e.Warnf("%s: has a macaddress in YAML sysprep does not edit (flow style, tabs or lists); left unchanged, remove the MAC pin by hand", p)
			}
			if changed {
				e.Logf("%s: netplan MAC address pins removed", p)
			}
		}
	}
	return nil
}
