// Package guest inspects a disk's volumes offline: it finds the root
// filesystem (the one with os-release and fstab), mounts the others per
// fstab into one guest-confined view, and reports the distro.
package guest

import (
	"slices"
)

// Family groups distros whose files live in the same places.
type Family string

// Families, from os-release ID and ID_LIKE.
const (
	FamilyDebian  Family = "debian"  // debian, ubuntu, kali, raspbian, linuxmint...
	FamilyRHEL    Family = "rhel"    // rhel, centos, rocky, almalinux, ol, scientific...
	FamilyFedora  Family = "fedora"  // fedora
	FamilySUSE    Family = "suse"    // opensuse*, sles, sled
	FamilyArch    Family = "arch"    // arch, manjaro
	FamilyAlpine  Family = "alpine"  // alpine
	FamilyUnknown Family = "unknown" // anything else
)

// Guest is what inspection found: plain data, never written to.
type Guest struct {
	OS             string   // "linux"
	Distro         string   // os-release ID, e.g. "rocky"
	IDLike         []string // os-release ID_LIKE
	Family         Family
	VersionID      string // os-release VERSION_ID, e.g. "9.4"
	Major, Minor   int
	PrettyName     string
	PackageManager string // "apt", "dnf", "yum", "zypper", "pacman", "apk" or ""
	PackageFormat  string // "deb", "rpm" or ""
	Filesystems    []Filesystem
}

// Filesystem is one volume the guest layer opened.
type Filesystem struct {
	Volume     string // e.g. "partition 2 (GPT, \"root\")"
	Type       string // "ext4", "xfs", "btrfs"
	UUID       string
	Label      string
	Mountpoint string // "/" for the root; "" when not mounted
	ReadOnly   bool
}

// IsLinux reports whether the guest is a Linux system.
func (g *Guest) IsLinux() bool { return g != nil && g.OS == "linux" }

// IsDebianLike reports Debian, Ubuntu and derivatives.
func (g *Guest) IsDebianLike() bool { return g.IsLinux() && g.Family == FamilyDebian }

// IsRedHatLike reports the Red Hat family: RHEL and its rebuilds (Rocky,
// Alma, CentOS, Oracle Linux...) and Fedora. virt-sysprep's "RH" gate.
func (g *Guest) IsRedHatLike() bool {
	return g.IsLinux() && (g.Family == FamilyRHEL || g.Family == FamilyFedora)
}

// IsSUSELike reports openSUSE and SLES.
func (g *Guest) IsSUSELike() bool { return g.IsLinux() && g.Family == FamilySUSE }

// Is reports whether the distro ID or one of ID_LIKE equals id.
func (g *Guest) Is(id string) bool {
	return g != nil && (g.Distro == id || slices.Contains(g.IDLike, id))
}
