package cloudinit

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// Guest paths of cloud-init's system configuration.
const (
	CloudCfg        = "/etc/cloud/cloud.cfg"
	DefaultLogFile  = "/var/log/cloud-init.log"                 // builtin def_log_file
	DefaultOutput   = "| tee -a /var/log/cloud-init-output.log" // 05_logging.cfg's output.all
	DefaultCloudDir = "/var/lib/cloud"                          // builtin system_info.paths.cloud_dir
	CleanDir        = "/etc/cloud/clean.d"
)

// maxGuestCfg caps one guest configuration file read for clean.
const maxGuestCfg = 4 << 20

// guestConfig is the part of the guest's merged system configuration that
// `cloud-init clean` uses.
type guestConfig struct {
	DefLogFile string
	Output     any // the merged "output" value, nil when unset
	CloudDir   string
}

// readGuestConfig merges /etc/cloud/cloud.cfg and /etc/cloud/cloud.cfg.d/*.cfg
// the way cloud-init does (files in name order, later files win, mappings
// merged key by key) over the builtin defaults. A file cloud-init could not
// parse is skipped, as cloud-init does, with a warning.
func readGuestConfig(root fs.FS) (guestConfig, []string, error) {
	var warnings []string
	files := []string{CloudCfg}
	ents, err := root.ReadDir(DropInDir)
	if err != nil && !errors.Is(err, iofs.ErrNotExist) && !errors.Is(err, fs.ErrNotDir) {
		return guestConfig{}, nil, err
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name, ".cfg") && !e.IsDir() {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, DropInDir+"/"+n)
	}
	merged := map[string]any{
		"def_log_file": DefaultLogFile,
		"output":       map[string]any{"all": DefaultOutput},
		"system_info":  map[string]any{"paths": map[string]any{"cloud_dir": DefaultCloudDir}},
	}
	for _, p := range files {
		st, err := root.Lstat(p)
		if err != nil {
			if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
				continue
			}
			return guestConfig{}, nil, err
		}
		if !st.IsRegular() {
			if st.IsSymlink() {
				warnings = append(warnings, fmt.Sprintf("%s is a symlink: not followed offline, its settings are ignored", p))
			}
			continue
		}
		if st.Size > maxGuestCfg {
			warnings = append(warnings, fmt.Sprintf("%s: %d bytes, larger than %d: ignored", p, st.Size, maxGuestCfg))
			continue
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return guestConfig{}, nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: not valid YAML, ignored as cloud-init does: %v", p, err))
			continue
		}
		merged = mergeValues(m, merged).(map[string]any)
	}
	gc := guestConfig{Output: merged["output"]}
	gc.DefLogFile, _ = merged["def_log_file"].(string)
	if si, ok := merged["system_info"].(map[string]any); ok {
		if paths, ok := si["paths"].(map[string]any); ok {
			gc.CloudDir, _ = paths["cloud_dir"].(string)
		}
	}
	if gc.CloudDir == "" {
		gc.CloudDir = DefaultCloudDir
	}
	return gc, warnings, nil
}

// mergeValues returns hi over lo: mappings merged key by key, anything
// else in hi replacing lo (cloud-init's default list()+dict()+str() merger).
func mergeValues(hi, lo any) any {
	hm, hok := hi.(map[string]any)
	lm, lok := lo.(map[string]any)
	if hi == nil {
		return lo
	}
	if !hok || !lok {
		return hi
	}
	out := make(map[string]any, len(lm)+len(hm))
	for k, v := range lm {
		out[k] = v
	}
	for k, v := range hm {
		if lv, ok := lm[k]; ok {
			out[k] = mergeValues(v, lv)
		} else {
			out[k] = v
		}
	}
	return out
}

// outputRE is clean's pattern for an output target: "| cmd", "> file", ">> file".
var outputRE = regexp.MustCompile(`^(\||>+)\s*(.*)$`)

// logFiles returns the log files clean --logs deletes (before their
// rotated siblings are added): def_log_file and the targets of the
// "output" setting for mode "all", as cloudinit.cmd.clean.get_config_logfiles
// reads them (a file after > or >>, or the file of "| tee -a FILE").
func (gc guestConfig) logFiles() []string {
	var logs []string
	if gc.DefLogFile != "" {
		logs = append(logs, gc.DefLogFile)
	}
	for _, f := range outputTargets(gc.Output) {
		m := outputRE.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		parts := strings.Fields(m[2])
		switch {
		case len(parts) == 1:
			logs = append(logs, m[2])
		case len(parts) >= 3 && parts[0] == "tee" && parts[1] == "-a":
			logs = append(logs, parts[2])
		}
	}
	return logs
}

// outputTargets mirrors cloud-init's get_output_cfg(cfg, None): with no
// mode, only output.all counts; it may be a string (stdout and stderr), a
// list [stdout, stderr] or a mapping {output, error}; "&1" means stdout;
// each target is normalised to "<op> <rest>", a bare one meaning ">>".
func outputTargets(out any) []string {
	m, ok := out.(map[string]any)
	if !ok {
		return nil
	}
	mode, ok := m["all"]
	if !ok {
		return nil
	}
	var ret [2]string
	switch v := mode.(type) {
	case string:
		ret = [2]string{v, v}
	case []any:
		for i := 0; i < 2 && i < len(v); i++ {
			ret[i], _ = v[i].(string)
		}
	case map[string]any:
		ret[0], _ = v["output"].(string)
		ret[1], _ = v["error"].(string)
	}
	if ret[1] == "&1" {
		ret[1] = ret[0]
	}
	var targets []string
	for _, r := range ret {
		if r == "" {
			continue
		}
		val := strings.TrimLeft(r, " \t\n\r\v\f")
		found := false
		for _, op := range []string{">>", ">", "|"} {
			if strings.HasPrefix(val, op) {
				val = op + " " + strings.TrimSpace(val[len(op):])
				found = true
				break
			}
		}
		if !found {
			val = ">> " + strings.TrimSpace(val)
		}
		targets = append(targets, val)
	}
	return targets
}

// systemDirs are never removed or emptied by Clean, whatever the guest's
// config says: a def_log_file or cloud_dir pointing into them is a
// misconfiguration that would wreck the image, not something to reproduce.
var systemDirs = []string{"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys", "/usr"}

// shallowDirs are directories Clean never empties as a cloud_dir.
var shallowDirs = setOf("/", "/home", "/media", "/mnt", "/opt", "/root", "/run", "/srv", "/tmp", "/var", "/var/cache", "/var/lib", "/var/log", "/var/spool", "/var/tmp")

// inSystemDir reports whether p is one of systemDirs or below one.
func inSystemDir(p string) bool {
	for _, d := range systemDirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return p == "/"
}

// cleanPath makes a guest path from a configured one, or "" if it is not
// absolute (cloud-init would resolve it against its working directory,
// which offline we do not know).
func cleanPath(p string) string {
	if !path.IsAbs(p) {
		return ""
	}
	return path.Clean(p)
}
