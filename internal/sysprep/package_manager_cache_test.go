package sysprep

import "testing"

func TestPackageManagerCache(t *testing.T) {
	arch := archGuest()
	runCases(t, "package-manager-cache", []opCase{{
		name:  "debian apt",
		guest: debianGuest(),
		tree: map[string]string{
			"var/cache/apt/archives/curl_8.deb": "deb",
			"var/cache/apt/archives/partial/x":  "p",
			"var/cache/apt/archives/lock":       "l",
			"var/cache/apt/pkgcache.bin":        "kept: only archives/",
		},
		removed: abs("var/cache/apt/archives/curl_8.deb", "var/cache/apt/archives/partial/x", "var/cache/apt/archives/lock"),
	}, {
		name:  "rocky dnf",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/cache/dnf/baseos-1/repodata/x.xml.gz": "r",
			"var/cache/dnf/expired_repos.json":         "[]",
			"var/cache/dnf/baseos-1/packages/":         "",
			"var/cache/libdnf5/fedora-1/x":             "dnf5",
			"var/cache/yum/kept":                       "kept: not yum",
		},
		removed: abs("var/cache/dnf/baseos-1/repodata/x.xml.gz", "var/cache/dnf/expired_repos.json", "var/cache/libdnf5/fedora-1/x"),
	}, {
		name:    "centos7 yum",
		guest:   centos7Guest(),
		tree:    map[string]string{"var/cache/yum/x86_64/7/base/packages/a.rpm": "rpm", "var/cache/dnf/kept": "kept"},
		removed: abs("var/cache/yum/x86_64/7/base/packages/a.rpm"),
	}, {
		name:    "suse zypper",
		guest:   suseGuest(),
		tree:    map[string]string{"var/cache/zypp/packages/repo/a.rpm": "rpm", "var/cache/zypper/RPMS/b.rpm": "rpm", "var/cache/zypp/packages/repo/link": "-> a.rpm"},
		removed: abs("var/cache/zypp/packages/repo/a.rpm", "var/cache/zypper/RPMS/b.rpm"),
	}, {
		name:  "arch pacman untouched",
		guest: arch,
		tree:  map[string]string{"var/cache/pacman/pkg/a.pkg.tar.zst": "kept"},
	}})
}
