package sysprep

import "testing"

func TestRPMDB(t *testing.T) {
	tree := map[string]string{
		"var/lib/rpm/__db.001":         "x",
		"var/lib/rpm/__db.002":         "y",
		"var/lib/rpm/Packages":         "kept",
		"var/lib/rpm/rpmdb.sqlite":     "kept",
		"var/lib/rpm/rpmdb.sqlite-wal": "kept: never drop a WAL",
	}
	runCases(t, "rpm-db", []opCase{
		{name: "rocky", guest: rockyGuest(), tree: tree, removed: abs("var/lib/rpm/__db.001", "var/lib/rpm/__db.002")},
		{name: "suse", guest: suseGuest(), tree: tree, removed: abs("var/lib/rpm/__db.001", "var/lib/rpm/__db.002")},
		{name: "debian untouched", guest: debianGuest(), tree: tree},
	})
}
