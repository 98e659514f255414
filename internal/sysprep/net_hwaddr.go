package sysprep

import (
	"context"
	"regexp"
	"strings"
)

func init() { register(netHwaddr{}) }

// netHwaddr removes MAC address pins from network configuration: a clone
// has new NICs, and a pinned configuration would not apply to them (or, for
// an address that is set rather than matched, every clone would share it).
//
// Departures: gated on the os-release family for ifcfg files (Rocky & co.
// included); only files that change are rewritten; and beyond ifcfg HWADDR=
// it also cleans NetworkManager keyfiles (mac-address=, and a literal
// cloned-mac-address=), systemd-networkd .network/.link files ([Match]
// MACAddress=/PermanentMACAddress=, [Link] MACAddress=), netplan YAML
// (macaddress:, see netplan_macaddress.go) and ifupdown hwaddress lines.
type netHwaddr struct{}

func (netHwaddr) Name() string { return "net-hwaddr" }
func (netHwaddr) Summary() string {
	return "Remove HWADDR (hard-coded MAC address) configuration"
}
func (netHwaddr) DefaultOn() bool { return true }

const (
	ifcfgGlob     = "/etc/sysconfig/network-scripts/ifcfg-*"
	nmKeyfileGlob = "/etc/NetworkManager/system-connections/*.nmconnection"
)

// macRE matches a literal Ethernet/Infiniband-style hardware address.
var macRE = regexp.MustCompile(`^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5,19}$`)

func (netHwaddr) Apply(_ context.Context, e *Env) error {
	if !e.Guest.IsLinux() {
		return nil
	}
	if e.Guest.IsRedHatLike() {
		drop := func(l string) bool { return strings.HasPrefix(l, "HWADDR=") }
		if err := dropLinesGlob(e, drop, ifcfgGlob); err != nil {
			return err
		}
	}
	if !nmconnRemoved(e) {
		drop := func(l string) bool {
			switch keyfileKey(l) {
			case "mac-address":
				return true
			case "cloned-mac-address":
				_, v, _ := strings.Cut(l, "=")
				return macRE.MatchString(strings.TrimSpace(v))
			}
			return false
		}
		if err := dropLinesGlob(e, drop, nmKeyfileGlob); err != nil {
			return err
		}
	}
	if err := networkdUnpin(e, "/etc/systemd/network/*.network", "/etc/systemd/network/*.link"); err != nil {
		return err
	}
	if err := netplanUnpinAll(e, "/etc/netplan/*.yaml", "/etc/netplan/*.yml"); err != nil {
		return err
	}
	hw := func(l string) bool {
		f := strings.Fields(l)
		return len(f) > 0 && f[0] == "hwaddress"
	}
	return dropLinesGlob(e, hw, "/etc/network/interfaces", "/etc/network/interfaces.d/*")
}

// nmconnRemoved reports whether net-nmconn runs in this plan and removes
// the keyfiles anyway (so editing them first would be wasted).
func nmconnRemoved(e *Env) bool {
	return e.Guest.IsRedHatLike() && e.Plan.enabled("net-nmconn")
}

// keyfileKey returns the key of a "key=value" line of a GKeyFile (the
// format of NetworkManager keyfiles), or "" for anything else.
func keyfileKey(line string) string {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == ';' || t[0] == '[' {
		return ""
	}
	k, _, ok := strings.Cut(t, "=")
	if !ok {
		return ""
	}
	return strings.TrimSpace(k)
}

// networkdUnpin drops MAC matches and fixed MAC settings from systemd
// .network and .link files.
func networkdUnpin(e *Env, patterns ...string) error {
	for _, pat := range patterns {
		ms, err := glob(e, pat)
		if err != nil {
			return err
		}
		for _, p := range ms {
			changed, err := editLines(e, p, dropNetworkdMAC)
			if err != nil {
				return err
			}
			if changed {
				e.Logf("%s: MAC address lines removed", p)
			}
		}
	}
	return nil
}

func dropNetworkdMAC(lines []string) []string {
	out := lines[:0:0]
	section := ""
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			section = t
		}
		switch k := keyfileKey(l); {
		case section == "[Match]" && (k == "MACAddress" || k == "PermanentMACAddress"):
			continue
		case section == "[Link]" && k == "MACAddress":
			continue
		}
		out = append(out, l)
	}
	return out
}
