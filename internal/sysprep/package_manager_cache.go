package sysprep

import "context"

func init() { register(packageManagerCache{}) }

// packageManagerCache empties the package manager's download cache: the
// files go, the directory tree stays.
type packageManagerCache struct{}

func (packageManagerCache) Name() string    { return "package-manager-cache" }
func (packageManagerCache) Summary() string { return "Remove package manager cache" }
func (packageManagerCache) DefaultOn() bool { return true }

func (packageManagerCache) Apply(_ context.Context, e *Env) error {
	var dirs []string
	switch e.Guest.PackageManager {
	case "apt":
		dirs = []string{"/var/cache/apt/archives/"}
	case "dnf":
		// Departure: dnf5 (Fedora 41+) caches in /var/cache/libdnf5 too.
		dirs = []string{"/var/cache/dnf/", "/var/cache/libdnf5/"}
	case "yum":
		dirs = []string{"/var/cache/yum/"}
	case "zypper":
		ms, err := glob(e, "/var/cache/zypp*")
		if err != nil {
			return err
		}
		dirs = ms
	}
	for _, d := range dirs {
		if err := filesOnly(e, d, nil); err != nil {
			return err
		}
	}
	return nil
}
