package guest

import (
	"errors"
	iofs "io/fs"
	"strconv"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// maxOSRelease caps the os-release file we parse (real ones are < 1 KiB).
const maxOSRelease = 64 << 10

// ParseOSRelease parses os-release(5) content: KEY=value lines, values
// optionally in single or double quotes with shell-style backslash escapes
// inside double quotes. Unknown lines are ignored.
func ParseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		out[k] = unquoteShell(strings.TrimSpace(v))
	}
	return out
}

func unquoteShell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1]
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' && i+1 < len(v) && strings.IndexByte("\\\"$`", v[i+1]) >= 0 {
				i++
			}
			b.WriteByte(v[i])
		}
		return b.String()
	}
	return v
}

// familyOf maps an os-release ID (or one ID_LIKE word) to its family.
func familyOf(id string) Family {
	switch id {
	case "rhel", "centos", "rocky", "almalinux", "ol", "scientific", "redhat", "cloudlinux",
		"eurolinux", "virtuozzo", "circle", "navy", "amzn":
		return FamilyRHEL
	case "fedora":
		return FamilyFedora
	case "debian", "ubuntu", "kali", "raspbian", "linuxmint", "pop", "elementary", "devuan", "neon", "zorin":
		return FamilyDebian
	case "sles", "sled", "suse", "opensuse":
		return FamilySUSE
	case "arch", "manjaro", "endeavouros", "archarm":
		return FamilyArch
	case "alpine", "postmarketos":
		return FamilyAlpine
	}
	if strings.HasPrefix(id, "opensuse") {
		return FamilySUSE
	}
	return FamilyUnknown
}

// guestFromOSRelease fills the os-release part of a Guest.
func guestFromOSRelease(kv map[string]string) *Guest {
	g := &Guest{
		OS:         "linux",
		Distro:     strings.ToLower(kv["ID"]),
		IDLike:     strings.Fields(strings.ToLower(kv["ID_LIKE"])),
		VersionID:  kv["VERSION_ID"],
		PrettyName: kv["PRETTY_NAME"],
		Family:     FamilyUnknown,
	}
	if g.Distro == "" {
		g.Distro = "linux" // os-release(5): ID defaults to "linux"
	}
	for _, id := range append([]string{g.Distro}, g.IDLike...) {
		if f := familyOf(id); f != FamilyUnknown {
			g.Family = f
			break
		}
	}
	major, minor, _ := strings.Cut(g.VersionID, ".")
	g.Major, _ = strconv.Atoi(major)
	if minor, _, _ = strings.Cut(minor, "."); minor != "" {
		g.Minor, _ = strconv.Atoi(minor)
	}
	return g
}

// packageManagers, in probe order: the first whose file exists wins.
var packageManagers = []struct {
	files   []string
	manager string
	format  string
}{
	{[]string{"/usr/bin/dnf5", "/usr/bin/dnf"}, "dnf", "rpm"},
	{[]string{"/usr/bin/yum"}, "yum", "rpm"},
	{[]string{"/usr/bin/zypper"}, "zypper", "rpm"},
	{[]string{"/usr/bin/apt-get", "/etc/apt"}, "apt", "deb"},
	{[]string{"/usr/bin/pacman"}, "pacman", ""},
	{[]string{"/sbin/apk", "/usr/sbin/apk", "/usr/bin/apk"}, "apk", ""},
}

// detectPackageManager looks for each manager's files in the guest.
func detectPackageManager(root fs.FS) (manager, format string, err error) {
	for _, pm := range packageManagers {
		for _, f := range pm.files {
			_, err := root.Lstat(f)
			if err == nil {
				return pm.manager, pm.format, nil
			}
			if !errors.Is(err, iofs.ErrNotExist) && !errors.Is(err, fs.ErrNotDir) {
				return "", "", err
			}
		}
	}
	return "", "", nil
}

// readOSRelease reads /etc/os-release, else /usr/lib/os-release.
func readOSRelease(root fs.FS) (map[string]string, error) {
	var firstErr error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		st, err := statFollow(root, p)
		if err == nil && st.Size > maxOSRelease {
			err = &iofs.PathError{Op: "read", Path: p, Err: fs.ErrTooLarge}
		}
		var data []byte
		if err == nil {
			data, err = fs.ReadFile(root, p)
		}
		if err == nil {
			return ParseOSRelease(data), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// statFollow stats p following a final symlink when root can.
func statFollow(root fs.FS, p string) (fs.Stat, error) {
	if r, ok := root.(*Root); ok {
		return r.Stat(p)
	}
	return root.Lstat(p)
}
