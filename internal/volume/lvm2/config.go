package lvm2

import (
	"fmt"
	"strconv"
	"strings"
)

// The LVM2 text metadata is a small configuration language
// (lib/config/config.c): sections `name { ... }`, assignments
// `key = value` where a value is a quoted string, an integer, a float or a
// flat array `[v, v, ...]`, and `#` comments to the end of the line.

// Kind is the type of a Value.
type Kind int

// Kinds of values.
const (
	KindString Kind = iota
	KindInt
	KindFloat
	KindArray
)

// Value is one metadata value.
type Value struct {
	Kind  Kind
	Str   string  // KindString; the source text of a KindFloat
	Int   int64   // KindInt
	Array []Value // KindArray: scalars only
}

// Section is a `name { ... }` block, or the whole text (Name "").
type Section struct {
	Name     string
	Keys     []string // assignment keys in source order
	Values   map[string]Value
	Sections []*Section // subsections in source order
}

// Sub returns the subsection called name, or nil.
func (s *Section) Sub(name string) *Section {
	for _, c := range s.Sections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Caps on what hostile metadata can make the parser build.
const (
	maxDepth = 8      // VG > logical_volumes > lv > segment is 4 deep
	maxItems = 200000 // values, array elements and sections in all
)

type parser struct {
	s     string
	pos   int
	items int
}

// ParseConfig parses metadata text. It refuses texts over MaxMetadataText,
// nesting deeper than 8, more than 200000 items, duplicate keys or section
// names, and anything outside the grammar.
func ParseConfig(text []byte) (*Section, error) {
	if len(text) > MaxMetadataText {
		return nil, fmt.Errorf("metadata text of %d bytes (limit %d): %w", len(text), MaxMetadataText, ErrCorrupt)
	}
	p := &parser{s: string(text)}
	root, err := p.section("", 0)
	if err != nil {
		line := 1 + strings.Count(p.s[:min(p.pos, len(p.s))], "\n")
		return nil, fmt.Errorf("metadata text line %d: %w", line, err)
	}
	return root, nil
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf(format+": %w", append(a, ErrCorrupt)...)
}

// skip moves past white space and comments.
func (p *parser) skip() {
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func identChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '+' || c == '/' || c == '@' || c == ':' || c == '%'
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.s) && identChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) count() error {
	p.items++
	if p.items > maxItems {
		return p.errorf("more than %d items", maxItems)
	}
	return nil
}

// section parses items until '}' (depth > 0) or the end of the text.
func (p *parser) section(name string, depth int) (*Section, error) {
	if depth > maxDepth {
		return nil, p.errorf("sections nested deeper than %d", maxDepth)
	}
	sec := &Section{Name: name, Values: map[string]Value{}}
	for {
		p.skip()
		if p.pos >= len(p.s) {
			if depth > 0 {
				return nil, p.errorf("section %q not closed", name)
			}
			return sec, nil
		}
		if p.s[p.pos] == '}' {
			if depth == 0 {
				return nil, p.errorf("unexpected '}'")
			}
			p.pos++
			return sec, nil
		}
		key := p.ident()
		if key == "" {
			return nil, p.errorf("unexpected %q", p.s[p.pos])
		}
		if err := p.count(); err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.s) {
			return nil, p.errorf("%q: unexpected end of text", key)
		}
		switch p.s[p.pos] {
		case '{':
			p.pos++
			if sec.Sub(key) != nil {
				return nil, p.errorf("section %q appears twice", key)
			}
			sub, err := p.section(key, depth+1)
			if err != nil {
				return nil, err
			}
			sec.Sections = append(sec.Sections, sub)
		case '=':
			p.pos++
			if _, dup := sec.Values[key]; dup {
				return nil, p.errorf("key %q appears twice", key)
			}
			v, err := p.value(true)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			sec.Keys = append(sec.Keys, key)
			sec.Values[key] = v
		default:
			return nil, p.errorf("%q: expected '=' or '{', got %q", key, p.s[p.pos])
		}
	}
}

// value parses a string, a number or (if arrays) an array of scalars.
func (p *parser) value(arrays bool) (Value, error) {
	p.skip()
	if p.pos >= len(p.s) {
		return Value{}, p.errorf("missing value")
	}
	switch c := p.s[p.pos]; {
	case c == '"':
		return p.str()
	case c == '[' && arrays:
		p.pos++
		v := Value{Kind: KindArray}
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == ']' {
				p.pos++
				return v, nil
			}
			if len(v.Array) > 0 {
				if p.pos >= len(p.s) || p.s[p.pos] != ',' {
					return Value{}, p.errorf("expected ',' or ']' in an array")
				}
				p.pos++
			}
			e, err := p.value(false)
			if err != nil {
				return Value{}, err
			}
			if err := p.count(); err != nil {
				return Value{}, err
			}
			v.Array = append(v.Array, e)
		}
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return Value{}, p.errorf("unexpected %q where a value belongs", p.s[p.pos])
}

func (p *parser) str() (Value, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch c {
		case '"':
			return Value{Kind: KindString, Str: b.String()}, nil
		case '\\':
			if p.pos >= len(p.s) {
				return Value{}, p.errorf("string ends in a backslash")
			}
			b.WriteByte(p.s[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	return Value{}, p.errorf("string not closed")
}

func (p *parser) number() (Value, error) {
	start := p.pos
	if p.s[p.pos] == '-' {
		p.pos++
	}
	float := false
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '.' {
			float = true
		} else if c < '0' || c > '9' {
			break
		}
		p.pos++
	}
	lit := p.s[start:p.pos]
	if float {
		if _, err := strconv.ParseFloat(lit, 64); err != nil {
			return Value{}, p.errorf("number %q", lit)
		}
		return Value{Kind: KindFloat, Str: lit}, nil
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return Value{}, p.errorf("number %q", lit)
	}
	return Value{Kind: KindInt, Int: n}, nil
}

// Format writes the section back as metadata text (the fuzz round trip).
func (s *Section) Format() string {
	var b strings.Builder
	s.format(&b, 0)
	return b.String()
}

func (s *Section) format(b *strings.Builder, depth int) {
	ind := strings.Repeat("\t", depth)
	for _, k := range s.Keys {
		fmt.Fprintf(b, "%s%s = %s\n", ind, k, s.Values[k].format())
	}
	for _, c := range s.Sections {
		fmt.Fprintf(b, "%s%s {\n", ind, c.Name)
		c.format(b, depth+1)
		fmt.Fprintf(b, "%s}\n", ind)
	}
}

func (v Value) format() string {
	switch v.Kind {
	case KindString:
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		return `"` + r.Replace(v.Str) + `"`
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindFloat:
		return v.Str
	}
	parts := make([]string, len(v.Array))
	for i, e := range v.Array {
		parts[i] = e.format()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
