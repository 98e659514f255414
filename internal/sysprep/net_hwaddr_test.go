package sysprep

import "testing"

func TestNetHwaddr(t *testing.T) {
	runCases(t, "net-hwaddr", []opCase{{
		name:  "rocky ifcfg and keyfile",
		guest: rockyGuest(),
		tree: map[string]string{
			"etc/sysconfig/network-scripts/ifcfg-eth0":                "DEVICE=eth0\nHWADDR=52:54:00:12:34:56\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\n",
			"etc/NetworkManager/system-connections/eth0.nmconnection": "[connection]\nid=eth0\n\n[ethernet]\nmac-address=52:54:00:12:34:56\ncloned-mac-address=stable\n",
			"etc/NetworkManager/system-connections/bond.nmconnection": "[ethernet]\ncloned-mac-address=52:54:00:AA:BB:CC\nmac-address-denylist=\n",
		},
		changed: abs("etc/sysconfig/network-scripts/ifcfg-eth0",
			"etc/NetworkManager/system-connections/eth0.nmconnection",
			"etc/NetworkManager/system-connections/bond.nmconnection"),
		files: map[string]string{
			// UUID= stays, as in virt-sysprep
			"/etc/sysconfig/network-scripts/ifcfg-eth0":                "DEVICE=eth0\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\n",
			"/etc/NetworkManager/system-connections/eth0.nmconnection": "[connection]\nid=eth0\n\n[ethernet]\ncloned-mac-address=stable\n",
			"/etc/NetworkManager/system-connections/bond.nmconnection": "[ethernet]\nmac-address-denylist=\n",
		},
	}, {
		name:  "debian networkd, netplan and ifupdown",
		guest: debianGuest(),
		tree: map[string]string{
			"etc/systemd/network/10-eth0.network": "[Match]\nMACAddress=52:54:00:12:34:56\nName=eth0\n\n[Network]\nDHCP=yes\n",
			"etc/systemd/network/10-lan.link":     "[Match]\nPermanentMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\nMACAddress=02:00:00:00:00:01\n",
			"etc/systemd/network/20-br.netdev":    "[NetDev]\nMACAddress=02:00:00:00:00:02\n", // not a pin to a NIC: kept
			"etc/systemd/network/30-x.network":    "[Network]\n# MACAddress= only in [Match] and [Link]\nMACAddress=kept\n",
			"etc/netplan/50-cloud-init.yaml": "network:\n    ethernets:\n        ens3:\n            dhcp4: true\n" +
				"            match:\n                macaddress: 52:54:00:12:34:56\n            set-name: ens3\n    version: 2\n",
			"etc/network/interfaces": "auto eth0\niface eth0 inet dhcp\n    hwaddress ether 52:54:00:12:34:56\n",
		},
		changed: abs("etc/systemd/network/10-eth0.network", "etc/systemd/network/10-lan.link",
			"etc/netplan/50-cloud-init.yaml", "etc/network/interfaces"),
		files: map[string]string{
			"/etc/systemd/network/10-eth0.network": "[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n",
			"/etc/systemd/network/10-lan.link":     "[Match]\n\n[Link]\nName=lan0\n",
			"/etc/netplan/50-cloud-init.yaml":      "network:\n    ethernets:\n        ens3:\n            dhcp4: true\n    version: 2\n",
			"/etc/network/interfaces":              "auto eth0\niface eth0 inet dhcp\n",
		},
	}, {
		name:     "netplan flow style: warned, untouched",
		guest:    ubuntuGuest(),
		tree:     map[string]string{"etc/netplan/01.yaml": "network: {ethernets: {ens3: {match: {macaddress: \"52:54:00:12:34:56\"}}}}\n"},
		warnings: []string{"left unchanged"},
	}, {
		name:  "rocky with net-nmconn: keyfiles left to it",
		guest: rockyGuest(),
		ops:   []string{"net-hwaddr", "net-nmconn"},
		tree: map[string]string{
			"etc/NetworkManager/system-connections/eth0.nmconnection": "[ethernet]\nmac-address=52:54:00:12:34:56\n",
		},
		removed: abs("etc/NetworkManager/system-connections/eth0.nmconnection"),
	}})
}
