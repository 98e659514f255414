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
	parent int    // the line owning this one, -1 at top level
	end    int    // index after the last line of this line's block
}

// parseYAMLLines indexes the lines in one pass (a stack of open blocks), so
// hostile input costs linear time. ok is false when indentation uses tabs.
func parseYAMLLines(lines []string) (ls []yamlLine, ok bool) {
	ls = make([]yamlLine, len(lines))
	var stack []int // open lines, strictly increasing indents
	lastText := -1  // last non-blank line seen
	closeTo := func(indent int) {
		for len(stack) > 0 && ls[stack[len(stack)-1]].indent >= indent {
			ls[stack[len(stack)-1]].end = lastText + 1
			stack = stack[:len(stack)-1]
		}
	}
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		t := strings.TrimLeft(body, " ")
		ls[i] = yamlLine{text: l, indent: -1, parent: -1, end: i + 1}
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if strings.HasPrefix(t, "\t") {
			return nil, false
		}
		ls[i].indent = len(body) - len(t)
		if k, _, ok := strings.Cut(t, ":"); ok && !strings.ContainsAny(k, "{}[]\"' ") && !strings.HasPrefix(k, "- ") {
			ls[i].key = k
		}
		closeTo(ls[i].indent)
		if len(stack) > 0 {
			ls[i].parent = stack[len(stack)-1]
		}
		stack = append(stack, i)
		lastText = i
	}
	closeTo(0)
	return ls, true
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
	children := make([]int, len(ls))
	for _, l := range ls {
		if l.parent >= 0 {
			children[l.parent]++
		}
	}
	drop := make([]bool, len(ls))
	dropBlock := func(i int) {
		if drop[i] {
			return // inside a block already dropped
		}
		for j := i; j < ls[i].end; j++ {
			drop[j] = true
		}
	}
	var emptied []int // lines whose children may all be gone
	for i, l := range ls {
		if l.key != "macaddress" {
			if strings.Contains(l.text, "macaddress") && l.indent >= 0 {
				return lines, false // flow style, quoted key, list item, trailing comment...
			}
			continue
		}
		p := l.parent
		switch {
		case p < 0:
			return lines, false
		case ls[p].key != "match":
			dropBlock(i) // a fixed address set on the interface
			emptied = append(emptied, p)
		case children[p] > 1:
			dropBlock(i)
		default:
			dropBlock(p)
			if gp := ls[p].parent; gp >= 0 {
				for j := p + 1; j < ls[gp].end; j = ls[j].end {
					if ls[j].indent >= 0 && ls[j].parent == gp && ls[j].key == "set-name" {
						dropBlock(j)
					}
				}
				emptied = append(emptied, gp)
			}
		}
	}
	for _, i := range emptied {
		if drop[i] || !allDropped(ls, drop, i) {
			continue
		}
		// "ens4:" alone would be a null, which netplan refuses.
		ls[i].text = emptyMapping(ls[i].text)
	}
	for i, l := range ls {
		if !drop[i] {
			out = append(out, l.text)
		}
	}
	return out, true
}

// allDropped reports whether every line in the block of line i was dropped.
func allDropped(ls []yamlLine, drop []bool, i int) bool {
	for j := i + 1; j < ls[i].end; j++ {
		if ls[j].indent >= 0 && !drop[j] {
			return false
		}
	}
	return true
}

// emptyMapping turns "  key:\n" into "  key: {}\n", keeping the line end.
func emptyMapping(text string) string {
	body := strings.TrimRight(text, "\r\n")
	return strings.TrimRight(body, " ") + " {}" + text[len(body):]
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
