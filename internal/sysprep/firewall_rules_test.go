package sysprep

import "testing"

func TestFirewallRules(t *testing.T) {
	runCases(t, "firewall-rules", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"etc/sysconfig/iptables":         "*filter\n",
			"etc/sysconfig/ip6tables":        "kept: not in the list",
			"etc/firewalld/zones/public.xml": "<zone/>",
			"etc/firewalld/services/foo.xml": "<service/>",
			"etc/firewalld/firewalld.conf":   "kept",
		},
		removed: abs("etc/sysconfig/iptables", "etc/firewalld/zones/public.xml", "etc/firewalld/services/foo.xml"),
	}})
}
