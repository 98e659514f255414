package sysprep

import "testing"

func TestPuppetDataLog(t *testing.T) {
	runCases(t, "puppet-data-log", []opCase{{
		name:  "rocky",
		guest: rockyGuest(),
		tree: map[string]string{
			"var/log/puppet/puppet.log":         "x",
			"var/lib/puppet/ssl/certs/host.pem": "cert",
			"var/lib/puppet/state/state.yaml":   "s",
			"var/lib/puppet/top":                "kept: not matched by */*",
			"var/lib/puppet/a/b/c/deep":         "kept: deeper than */*/*",
		},
		removed: abs("var/log/puppet/puppet.log", "var/lib/puppet/ssl/certs/host.pem", "var/lib/puppet/state/state.yaml"),
	}})
}
