package cloudinit

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Header opens every rendered drop-in.
const Header = "# Written by packer-plugin-sysprep\n"

// Render returns the drop-in for /etc/cloud/cloud.cfg.d/<FileName>: the
// Header, then the typed fields in a fixed order (system_info.default_user,
// ssh_pwauth, disable_root, packages, datasource_list, the three module
// lists), then the keys of ExtraYAML in their own order. A typed field wins
// over the same key in ExtraYAML; mappings (system_info, default_user) are
// merged key by key, as cloud-init merges cloud.cfg.d files.
// datasource_list is always written on one line (flow style), because
// ds-identify reads it with a line-based parser. The output is deterministic.
func (c *Config) Render() ([]byte, error) {
	m, err := c.merged()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(Header)
	if len(m.Content) == 0 {
		return b.Bytes(), nil // nothing set: a comment-only file is valid
	}
	if err := encodeNode(&b, m); err != nil {
		return nil, fmt.Errorf("cloud_init: render: %w", err)
	}
	return b.Bytes(), nil
}

// merged returns the top-level mapping that Render writes: the typed fields
// merged over ExtraYAML.
func (c *Config) merged() (*yaml.Node, error) {
	extra, err := parseExtra(c.ExtraYAML)
	if err != nil {
		return nil, fmt.Errorf("cloud_init %w", err)
	}
	m := mergeMaps(c.typed(), extra)
	if ds := lookup(m, "datasource_list"); ds != nil && ds.Kind == yaml.SequenceNode {
		ds.Style = yaml.FlowStyle
		for _, e := range ds.Content {
			e.Style &^= yaml.LiteralStyle | yaml.FoldedStyle
			e.HeadComment, e.LineComment, e.FootComment = "", "", ""
		}
		ds.LineComment, ds.FootComment = "", ""
	}
	return m, nil
}

// typed builds the mapping of the typed fields, in Render's order.
func (c *Config) typed() *yaml.Node {
	m := mapNode()
	if u := c.DefaultUser; u != nil {
		du := mapNode()
		if u.Name != "" {
			addKey(du, "name", strNode(u.Name))
		}
		if u.Sudo != nil {
			addKey(du, "sudo", seqNode(u.Sudo, 0))
		}
		if u.Shell != "" {
			addKey(du, "shell", strNode(u.Shell))
		}
		if u.Groups != nil {
			addKey(du, "groups", seqNode(u.Groups, 0))
		}
		if u.LockPasswd != nil {
			addKey(du, "lock_passwd", boolNode(*u.LockPasswd))
		}
		if u.SSHAuthorizedKeys != nil {
			addKey(du, "ssh_authorized_keys", seqNode(u.SSHAuthorizedKeys, 0))
		}
		si := mapNode()
		addKey(si, "default_user", du)
		addKey(m, "system_info", si)
	}
	if c.SSHPwauth != nil {
		addKey(m, "ssh_pwauth", boolNode(*c.SSHPwauth))
	}
	if c.DisableRoot != nil {
		addKey(m, "disable_root", boolNode(*c.DisableRoot))
	}
	if c.Packages != nil {
		addKey(m, "packages", seqNode(c.Packages, 0))
	}
	if c.DatasourceList != nil {
		addKey(m, "datasource_list", seqNode(c.DatasourceList, yaml.FlowStyle))
	}
	for _, l := range []struct {
		key  string
		mods []string
	}{
		{"cloud_init_modules", c.InitModules},
		{"cloud_config_modules", c.ConfigModules},
		{"cloud_final_modules", c.FinalModules},
	} {
		if l.mods != nil {
			addKey(m, l.key, seqNode(l.mods, 0))
		}
	}
	return m
}

// mergeMaps returns hi merged over lo: hi's keys first, in order, with
// mappings present in both merged recursively and any other hi value
// replacing lo's; then lo's remaining keys in order.
func mergeMaps(hi, lo *yaml.Node) *yaml.Node {
	out := mapNode()
	out.HeadComment = lo.HeadComment
	done := map[string]bool{}
	for i := 0; i+1 < len(hi.Content); i += 2 {
		k, v := hi.Content[i], hi.Content[i+1]
		done[k.Value] = true
		if lk, lv := lookupKey(lo, k.Value); lv != nil {
			if lv.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode {
				v = mergeMaps(v, lv)
			}
			if k.HeadComment == "" {
				k.HeadComment = lk.HeadComment
			}
		}
		out.Content = append(out.Content, k, v)
	}
	for i := 0; i+1 < len(lo.Content); i += 2 {
		if !done[lo.Content[i].Value] {
			out.Content = append(out.Content, lo.Content[i], lo.Content[i+1])
		}
	}
	return out
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

// strNode is a string scalar, double-quoted when a YAML 1.1 reader such as
// cloud-init's PyYAML would take it for something else (yes, on, 010, 1:30,
// 2024-01-02, ~...): yaml.v3 only quotes what YAML 1.2 would misread.
func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11NonString(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// PyYAML's implicit resolvers (YAML 1.1) for everything but strings.
var yaml11Resolvers = regexp.MustCompile(`^(?:` +
	`yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF` + // bool
	`|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+` + // int
	`|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` + // float
	`|~|null|Null|NULL|` + // null, including ""
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?` + // timestamp
	`|<<|=` + // merge, value
	`)$`)

func yaml11NonString(s string) bool { return yaml11Resolvers.MatchString(s) }

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func seqNode(items []string, style yaml.Style) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: style}
	for _, s := range items {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

func addKey(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, strNode(key), v)
}
