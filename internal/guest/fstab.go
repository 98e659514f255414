package guest

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/volume"
)

// FstabEntry is one line of /etc/fstab (fstab(5)), octal escapes decoded.
type FstabEntry struct {
	Line    int // 1-based
	Spec    string
	File    string // mount point
	VfsType string
	Options []string
}

// HasOption reports whether the comma-separated options include o.
func (e FstabEntry) HasOption(o string) bool {
	for _, x := range e.Options {
		if x == o {
			return true
		}
	}
	return false
}

// maxFstabEntries caps what a hostile fstab can make us process.
const maxFstabEntries = 1024

// ParseFstab parses fstab content; malformed lines (fewer than two
// fields) are skipped.
func ParseFstab(data []byte) []FstabEntry {
	var out []FstabEntry
	for i, line := range strings.Split(string(data), "\n") {
		if len(out) >= maxFstabEntries {
			break
		}
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		e := FstabEntry{Line: i + 1, Spec: unescapeOctal(f[0]), File: unescapeOctal(f[1])}
		if len(f) > 2 {
			e.VfsType = f[2]
		}
		if len(f) > 3 {
			e.Options = strings.Split(f[3], ",")
		}
		out = append(out, e)
	}
	return out
}

// unescapeOctal decodes fstab's \NNN escapes (\040 is a space).
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// pseudoFS are fstab types that never name a disk volume.
var pseudoFS = map[string]bool{
	"swap": true, "none": true, "tmpfs": true, "proc": true, "sysfs": true, "devpts": true,
	"devtmpfs": true, "securityfs": true, "debugfs": true, "cgroup": true, "cgroup2": true,
	"hugetlbfs": true, "mqueue": true, "efivarfs": true, "binfmt_misc": true, "fusectl": true,
	"configfs": true, "pstore": true, "tracefs": true, "bpf": true, "rpc_pipefs": true,
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "9p": true, "virtiofs": true,
	"fuse": true, "overlay": true, "squashfs": true, "iso9660": true, "udf": true,
}

// skipReason says why an fstab entry is not a volume to mount, or "".
func (e FstabEntry) skipReason() string {
	switch {
	case !strings.HasPrefix(e.File, "/"):
		return "not a mount point (" + e.File + ")"
	case pseudoFS[e.VfsType] || strings.HasPrefix(e.VfsType, "fuse."):
		return e.VfsType + " is not a disk filesystem"
	case e.HasOption("bind") || e.HasOption("rbind"):
		return "bind mount"
	case e.HasOption("noauto"):
		return "noauto"
	}
	return ""
}

// mountPoint returns the cleaned mount point.
func (e FstabEntry) mountPoint() string { return path.Clean(e.File) }

var (
	devDiskRE = regexp.MustCompile(`^/dev/disk/by-(uuid|label|partuuid|partlabel)/(.+)$`)
	// The first disk under each naming scheme, optionally a partition.
	sdRE   = regexp.MustCompile(`^/dev/(?:sd|vd|xvd|hd)a([0-9]*)$`)
	nvmeRE = regexp.MustCompile(`^/dev/(?:nvme0n1|mmcblk0)(?:p([0-9]+))?$`)
)

// volumeID is what an fstab spec can match: a volume and, if a filesystem
// was recognised on it, that filesystem's UUID and label.
type volumeID struct {
	vol   volume.Volume
	uuid  string
	label string
}

// matches reports whether the fstab spec designates this volume.
func (v volumeID) matches(spec string) bool {
	key, val, ok := strings.Cut(spec, "=")
	if ok && key == strings.ToUpper(key) {
		return v.matchKey(strings.ToLower(key), unquote(val))
	}
	if m := devDiskRE.FindStringSubmatch(spec); m != nil {
		return v.matchKey(m[1], unescapeUdev(m[2]))
	}
	if v.vol.Table == volume.TableLVM2 {
		return matchesLV(v.vol, spec)
	}
	if m := sdRE.FindStringSubmatch(spec); m != nil {
		return partNumber(m[1]) == v.vol.Index
	}
	if m := nvmeRE.FindStringSubmatch(spec); m != nil {
		return partNumber(m[1]) == v.vol.Index
	}
	return false
}

func (v volumeID) matchKey(key, val string) bool {
	if val == "" {
		return false
	}
	switch key {
	case "uuid":
		return v.uuid != "" && strings.EqualFold(v.uuid, val)
	case "label":
		return v.label != "" && v.label == val
	case "partuuid":
		return v.vol.PartUUID != "" && strings.EqualFold(v.vol.PartUUID, val)
	case "partlabel":
		return v.vol.PartLabel != "" && v.vol.PartLabel == val
	}
	return false
}

func partNumber(s string) int {
	if s == "" {
		return 0 // the whole disk
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// unescapeUdev decodes udev's \xNN escapes in /dev/disk/by-* names.
func unescapeUdev(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
