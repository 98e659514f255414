package sysprep

import (
	"context"
	"strings"
)

func init() { register(netHostname{}) }

// netHostname removes the hostname pinned in network configuration, so
// clones take theirs from DHCP or cloud-init.
//
// Departures: gated on the Red Hat os-release family (Rocky & co.
// included); only files that change are rewritten, byte-exact otherwise;
// NetworkManager keyfiles that net-nmconn does not remove lose their
// dhcp-hostname= lines (the keyfile twin of DHCP_HOSTNAME=).
type netHostname struct{}

func (netHostname) Name() string { return "net-hostname" }
func (netHostname) Summary() string {
	return "Remove HOSTNAME and DHCP_HOSTNAME in network interface configuration"
}
func (netHostname) DefaultOn() bool { return true }

func (netHostname) Apply(_ context.Context, e *Env) error {
	if !e.Guest.IsLinux() {
		return nil
	}
	if e.Guest.IsRedHatLike() {
		drop := func(l string) bool {
			return strings.HasPrefix(l, "HOSTNAME=") || strings.HasPrefix(l, "DHCP_HOSTNAME=")
		}
		if err := dropLinesGlob(e, drop, ifcfgGlob); err != nil {
			return err
		}
	}
	if nmconnRemoved(e) {
		return nil
	}
	drop := func(l string) bool { return keyfileKey(l) == "dhcp-hostname" }
	return dropLinesGlob(e, drop, nmKeyfileGlob)
}
