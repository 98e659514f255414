package cloudinit

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Shadowed returns warnings for the guest's drop-ins that cloud-init reads
// after this config's file (their names sort later) and that set the same
// keys: their values win, so ours would have no effect. Mappings are
// compared key by key, as cloud-init merges them (system_info.default_user.name...).
func (c *Config) Shadowed(root fs.FS) ([]string, error) {
	ours, err := c.merged()
	if err != nil {
		return nil, err
	}
	ents, err := root.ReadDir(DropInDir)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
			return nil, nil
		}
		return nil, err
	}
	self := c.fileName()
	var later []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name, ".cfg") && e.Name > self && e.Type.IsRegular() {
			later = append(later, e.Name)
		}
	}
	sort.Strings(later)
	var warnings []string
	for _, n := range later {
		p := DropInDir + "/" + n
		st, err := root.Lstat(p)
		if err != nil {
			return nil, err
		}
		if st.Size > maxGuestCfg {
			continue
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return nil, err
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		if keys := commonKeys(ours, doc.Content[0], ""); len(keys) > 0 {
			warnings = append(warnings, fmt.Sprintf("%s is read after %s and also sets %s: its values win", p, self, strings.Join(keys, ", ")))
		}
	}
	return warnings, nil
}

// commonKeys lists the dotted keys set by both mappings (leaves only:
// mappings on both sides are descended).
func commonKeys(a, b *yaml.Node, prefix string) []string {
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(a.Content); i += 2 {
		k, av := a.Content[i].Value, a.Content[i+1]
		bv := lookup(b, k)
		if bv == nil {
			continue
		}
		if av.Kind == yaml.MappingNode && bv.Kind == yaml.MappingNode {
			keys = append(keys, commonKeys(av, bv, prefix+k+".")...)
			continue
		}
		keys = append(keys, prefix+k)
	}
	return keys
}
