package sysprep

func init() {
	register(globOp{
		name:    "firewall-rules",
		summary: "Remove the firewall rules",
		rm: []string{
			"/etc/sysconfig/iptables",
			"/etc/firewalld/services/*",
			"/etc/firewalld/zones/*",
		},
	})
}
