package selinux

import (
	iofs "io/fs"
	"regexp"
	"sort"
	"strings"
)

// fileKind is the optional file-type field of a file_contexts line.
type fileKind byte

const (
	kindAny     fileKind = 0
	kindRegular fileKind = '-' // "--"
	kindDir     fileKind = 'd'
	kindSymlink fileKind = 'l'
	kindChar    fileKind = 'c'
	kindBlock   fileKind = 'b'
	kindSocket  fileKind = 's'
	kindPipe    fileKind = 'p'
)

// parseKind decodes "--", "-d", "-l"...; ok is false for anything else.
func parseKind(s string) (fileKind, bool) {
	if len(s) != 2 || s[0] != '-' {
		return 0, false
	}
	switch k := fileKind(s[1]); k {
	case kindRegular, kindDir, kindSymlink, kindChar, kindBlock, kindSocket, kindPipe:
		return k, true
	}
	return 0, false
}

// kindOf maps an io/fs mode to the file_contexts file type.
func kindOf(mode iofs.FileMode) fileKind {
	switch {
	case mode.IsDir():
		return kindDir
	case mode&iofs.ModeSymlink != 0:
		return kindSymlink
	case mode&iofs.ModeCharDevice != 0:
		return kindChar
	case mode&iofs.ModeDevice != 0:
		return kindBlock
	case mode&iofs.ModeSocket != 0:
		return kindSocket
	case mode&iofs.ModeNamedPipe != 0:
		return kindPipe
	}
	return kindRegular
}

// none is the context meaning "do not label".
const none = "<<none>>"

// spec is one file_contexts specification.
type spec struct {
	regex   string // as written
	re      *regexp.Regexp
	kind    fileKind
	context string // "system_u:object_r:etc_t:s0" or "<<none>>"
	hasMeta bool   // the regex has a metacharacter (libselinux hasMetaChars)
	stemLen int    // characters before the first metacharacter
	strLen  int    // characters, an escaped character counting once
	stem    string // "/etc" when the regex starts with a literal first component, else ""
	file    string // where it came from, for diagnostics
	line    int
}

// metaChars are the characters libselinux and fc_sort treat as making a
// specification a regular expression rather than an exact path.
const metaChars = ".^$?*+|[({"

// analyse fills hasMeta, stemLen, strLen and stem from the regex text: a
// backslash escapes the next character.
func (s *spec) analyse() {
	r := s.regex
	s.stemLen = -1
	for i := 0; i < len(r); i++ {
		c := r[i]
		if c == '\\' {
			i++
			s.strLen++
			continue
		}
		if s.stemLen < 0 && strings.IndexByte(metaChars, c) >= 0 {
			s.stemLen = i
			s.hasMeta = true
		}
		s.strLen++
	}
	if s.stemLen < 0 {
		s.stemLen = len(r)
	}
	// The stem is the first path component if it is plain text, as
	// libselinux's get_stem_from_spec: it lets lookups skip specs whose
	// first component cannot match.
	// A top-level alternation ("/a/x|/b/y") has no single stem.
	if len(r) > 1 && r[0] == '/' && !strings.Contains(r, "|") {
		if j := strings.IndexByte(r[1:], '/'); j >= 0 {
			first := r[:j+1]
			if !strings.ContainsAny(first, metaChars+`\`) {
				s.stem = first
			}
		}
	}
}

// pathStem is the first component of a path ("/etc" for "/etc/hosts"),
// "" for a path in the root directory.
func pathStem(p string) string {
	if len(p) > 1 {
		if j := strings.IndexByte(p[1:], '/'); j >= 0 {
			return p[:j+1]
		}
	}
	return ""
}

// lessSpecific orders specifications as refpolicy's fc_sort does when it
// builds file_contexts: a regex is less specific than an exact path; then
// a shorter literal prefix, then a shorter regex, then no file type, are
// less specific. Lookups take the last match, so the most specific wins.
func lessSpecific(a, b *spec) bool {
	if a.hasMeta != b.hasMeta {
		return a.hasMeta
	}
	if a.hasMeta && a.stemLen != b.stemLen {
		return a.stemLen < b.stemLen
	}
	if a.strLen != b.strLen {
		return a.strLen < b.strLen
	}
	return a.kind == kindAny && b.kind != kindAny
}

// parseSpecs parses the text form of a file_contexts file. Lines it cannot
// use (wrong field count, unknown file type, a regex Go cannot compile)
// are counted in skipped, never fatal.
func parseSpecs(file string, data []byte) (specs []spec, skipped int) {
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		s := spec{file: file, line: i + 1}
		switch len(f) {
		case 2:
			s.regex, s.context = f[0], f[1]
		case 3:
			k, ok := parseKind(f[1])
			if !ok {
				skipped++
				continue
			}
			s.regex, s.kind, s.context = f[0], k, f[2]
		default:
			skipped++
			continue
		}
		re, err := compile(s.regex)
		if err != nil {
			skipped++
			continue
		}
		s.re = re
		s.analyse()
		specs = append(specs, s)
	}
	return specs, skipped
}

// compile anchors a file_contexts regex (PCRE syntax, of which policies use
// the part RE2 shares) as libselinux does: ^(?:regex)$.
func compile(re string) (*regexp.Regexp, error) {
	return regexp.Compile("^(?:" + re + ")$")
}

// order arranges specifications for last-match-wins lookup: each policy
// file sorted fc_sort-style (a no-op on files the policy build already
// sorted), the files in load order (base, homedirs, local: later files
// override), then, as libselinux's sort_specs, every exact path moved after
// every regex, keeping their relative order.
func order(files [][]spec, sortFile []bool) []spec {
	var all []spec
	for i, specs := range files {
		if sortFile[i] {
			sort.SliceStable(specs, func(a, b int) bool { return lessSpecific(&specs[a], &specs[b]) })
		}
		all = append(all, specs...)
	}
	out := make([]spec, 0, len(all))
	for _, s := range all {
		if s.hasMeta {
			out = append(out, s)
		}
	}
	for _, s := range all {
		if !s.hasMeta {
			out = append(out, s)
		}
	}
	return out
}
