package cloudinit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExtraYAML caps ExtraYAML: a cloud.cfg.d drop-in is a few KiB.
const maxExtraYAML = 1 << 20

// parseExtra parses ExtraYAML into its top-level mapping node (an empty
// mapping for an empty or comment-only text). It refuses what cloud-init
// would not read the same way we write it back: several documents, a
// non-mapping top level, duplicate keys, anchors, aliases and merge keys
// (we re-emit the tree with our keys first, which could put an alias before
// its anchor). Every error names the line.
func parseExtra(src string) (*yaml.Node, error) {
	empty := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if strings.TrimSpace(src) == "" {
		return empty, nil
	}
	if len(src) > maxExtraYAML {
		return nil, fmt.Errorf("extra YAML: %d bytes (at most %d)", len(src), maxExtraYAML)
	}
	dec := yaml.NewDecoder(strings.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return empty, nil
		}
		return nil, fmt.Errorf("extra YAML: %w", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := more.Line
		if err != nil {
			return nil, fmt.Errorf("extra YAML: %w", err)
		}
		return nil, fmt.Errorf("extra YAML: line %d: a second YAML document (cloud-init reads only the first; merge them into one mapping)", line)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return empty, nil
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return empty, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("extra YAML: line %d: the top level must be a mapping (key: value lines), not a %s", top.Line, kindName(top))
	}
	if err := checkNode(top, 0); err != nil {
		return nil, fmt.Errorf("extra YAML: %w", err)
	}
	return top, nil
}

// maxYAMLDepth bounds the recursion over user YAML.
const maxYAMLDepth = 64

func checkNode(n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return fmt.Errorf("line %d: nested more than %d levels", n.Line, maxYAMLDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("line %d: YAML anchors and aliases are not supported here; write the values out", n.Line)
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a mapping key must be a plain scalar", k.Line)
			}
			if k.Tag == "!!merge" || k.Value == "<<" && k.Style == 0 {
				return fmt.Errorf("line %d: YAML merge keys (<<) are not supported here; write the values out", k.Line)
			}
			if first, dup := seen[k.Value]; dup {
				return fmt.Errorf("line %d: key %q repeats the one on line %d", k.Line, k.Value, first)
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkNode(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// lookup returns the value node of key in mapping m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	_, v := lookupKey(m, key)
	return v
}

// lookupKey returns the key and value nodes of key in mapping m, or nils.
func lookupKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// boolVal returns a boolean's value as cloud-init's YAML 1.1 reader sees
// it (true/false and, for plain scalars, yes/no/on/off), or nil.
func boolVal(n *yaml.Node) *bool {
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	t, f := true, false
	if n.Tag == "!!bool" || n.Style == 0 && n.Tag == "!!str" {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			if n.Value == strings.ToLower(n.Value) || n.Value == strings.ToUpper(n.Value) || n.Value == strings.ToUpper(n.Value[:1])+n.Value[1:] {
				return &t
			}
		case "false", "no", "off":
			if n.Value == strings.ToLower(n.Value) || n.Value == strings.ToUpper(n.Value) || n.Value == strings.ToUpper(n.Value[:1])+n.Value[1:] {
				return &f
			}
		}
	}
	return nil
}

// extraTypes are the shapes cloud-init's schema wants for the keys this
// package knows; Validate checks ExtraYAML against them so a mistake is
// caught at build time, not at the instance's first boot.
var extraTypes = map[string]yaml.Kind{
	"system_info":          yaml.MappingNode,
	"packages":             yaml.SequenceNode,
	"datasource_list":      yaml.SequenceNode,
	"cloud_init_modules":   yaml.SequenceNode,
	"cloud_config_modules": yaml.SequenceNode,
	"cloud_final_modules":  yaml.SequenceNode,
	"runcmd":               yaml.SequenceNode,
	"bootcmd":              yaml.SequenceNode,
	"write_files":          yaml.SequenceNode,
	"users":                yaml.SequenceNode,
	"ssh_authorized_keys":  yaml.SequenceNode,
	"ssh_pwauth":           yaml.ScalarNode,
	"disable_root":         yaml.ScalarNode,
	"package_update":       yaml.ScalarNode,
	"package_upgrade":      yaml.ScalarNode,
	"preserve_hostname":    yaml.ScalarNode,
}

// boolKeys must be YAML booleans (cloud-init deprecated other values).
var boolKeys = []string{"ssh_pwauth", "disable_root", "package_update", "package_upgrade", "preserve_hostname"}

// checkExtraTypes reports known keys of the wrong shape.
func checkExtraTypes(m *yaml.Node) []error {
	var errs []error
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		want, known := extraTypes[k.Value]
		if !known || v.Kind == want || v.Tag == "!!null" {
			continue
		}
		errs = append(errs, fmt.Errorf("extra YAML: line %d: %s must be a %s, not a %s", v.Line, k.Value, kindName(&yaml.Node{Kind: want}), kindName(v)))
	}
	for _, k := range boolKeys {
		if v := lookup(m, k); v != nil && v.Kind == yaml.ScalarNode && boolVal(v) == nil && v.Tag != "!!null" {
			errs = append(errs, fmt.Errorf("extra YAML: line %d: %s must be true or false, not %q", v.Line, k, v.Value))
		}
	}
	return errs
}

// encodeNode writes one YAML document with cloud-init's usual 2-space indent.
func encodeNode(w *bytes.Buffer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return err
	}
	return enc.Close()
}
