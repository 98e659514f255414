package sysprep

import "testing"

func TestFlagReconfiguration(t *testing.T) {
	runCases(t, "flag-reconfiguration", []opCase{{
		name:    "centos7",
		guest:   centos7Guest(),
		created: abs(".unconfigured"),
		files:   map[string]string{"/.unconfigured": ""},
	}, {
		name:  "already flagged",
		guest: centos7Guest(),
		tree:  map[string]string{".unconfigured": "kept as is"},
	}})
}
