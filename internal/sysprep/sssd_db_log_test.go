package sysprep

import "testing"

func TestSSSDDBLog(t *testing.T) {
	runCases(t, "sssd-db-log", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/log/sssd/sssd.log": "l", "var/lib/sss/db/cache_x.ldb": "c", "var/lib/sss/pipes/private/": "", "etc/sssd/sssd.conf": "kept"},
		removed: abs("var/log/sssd/sssd.log", "var/lib/sss/db/cache_x.ldb"),
	}})
}
