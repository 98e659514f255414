// Package selinux labels the files sysprep creates in an SELinux guest, the
// way the guest's own tools would (setfiles, restorecon, matchpathcon):
// from the text file_contexts of the configured policy.
//
// When the guest is SELinux but its policy cannot be read, files cannot be
// labelled here; the caller must then create /.autorelabel so the guest
// relabels itself on first boot (see NeedsRelabelFallback). guest.Open does
// this itself.
package selinux

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// ConfigPath is where the guest's SELinux configuration lives.
const ConfigPath = "/etc/selinux/config"

// XattrName is the extended attribute holding a file's SELinux context. Its
// value is the context followed by a NUL byte, as the kernel stores it.
const XattrName = "security.selinux"

// Sentinels. Match with errors.Is.
var (
	// ErrDisabled is returned by Load when the guest is not SELinux:
	// no /etc/selinux/config, or SELINUX=disabled.
	ErrDisabled = errors.New("SELinux is not enabled in the guest")
	// ErrNoPolicy is returned by Load when the guest is SELinux but its
	// file_contexts cannot be read.
	ErrNoPolicy = errors.New("SELinux policy file_contexts cannot be read")
)

// Config is the guest's /etc/selinux/config.
type Config struct {
	Mode string // SELINUX: "enforcing", "permissive" or "disabled"
	Type string // SELINUXTYPE, "targeted" when absent
}

// Enabled reports whether the guest labels files (enforcing or permissive).
func (c Config) Enabled() bool { return c.Mode != "" && c.Mode != "disabled" }

// maxConfig caps the config file we read.
const maxConfig = 64 << 10

// ReadConfig reads /etc/selinux/config. A missing file is a Config with an
// empty Mode (not enabled) and no error.
func ReadConfig(root fs.FS) (Config, error) {
	c := Config{Type: "targeted"}
	data, err := readCapped(root, ConfigPath, maxConfig)
	if errors.Is(err, iofs.ErrNotExist) || errors.Is(err, fs.ErrNotDir) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch strings.TrimSpace(k) {
		case "SELINUX":
			c.Mode = strings.ToLower(v)
		case "SELINUXTYPE":
			if v != "" {
				c.Type = v
			}
		}
	}
	if c.Mode == "" {
		// Without SELINUX= the boot still loads the policy (systemd and
		// load_policy fall back to permissive): the guest labels files.
		c.Mode = "permissive"
	}
	if strings.ContainsAny(c.Type, "/\x00") || c.Type == "." || c.Type == ".." {
		return Config{}, fmt.Errorf("%s: SELINUXTYPE=%q is not a policy name", ConfigPath, c.Type)
	}
	return c, nil
}

// NeedsRelabelFallback reports whether root is an SELinux guest whose
// policy cannot be loaded: files created in it get no label from Wrap, so
// the caller must create /.autorelabel (an empty file) for the guest to
// relabel everything on first boot.
func NeedsRelabelFallback(root fs.FS) bool {
	c, err := ReadConfig(root)
	if err != nil {
		return true // a config we cannot read: assume SELinux, relabel
	}
	if !c.Enabled() {
		return false
	}
	_, err = Load(root)
	return err != nil
}

// readCapped reads a whole file (following a final symlink when root can)
// refusing files over limit bytes.
func readCapped(root fs.FS, p string, limit int64) ([]byte, error) {
	_, size, err := root.Open(p)
	if err != nil {
		return nil, err
	}
	if size > limit {
		return nil, &iofs.PathError{Op: "read", Path: p, Err: fmt.Errorf("%w: %d bytes (limit %d)", fs.ErrTooLarge, size, limit)}
	}
	return fs.ReadFile(root, p)
}
