package sysprep

import "testing"

func TestBlkidTab(t *testing.T) {
	runCases(t, "blkid-tab", []opCase{{
		name:  "centos7",
		guest: centos7Guest(),
		tree: map[string]string{
			"etc/blkid/blkid.tab":     "<device/>",
			"etc/blkid/blkid.tab.old": "<device/>",
			"etc/blkid.tab":           "-> /etc/blkid/blkid.tab",
			"dev/.blkid.tab":          "x",
			"var/run/blkid.tab":       "y",
		},
		removed: abs("etc/blkid/blkid.tab", "etc/blkid/blkid.tab.old", "dev/.blkid.tab", "var/run/blkid.tab"),
		files:   map[string]string{"/etc/blkid.tab": "-> /etc/blkid/blkid.tab"},
	}})
}
