package sysprep

import "testing"

func TestCrashData(t *testing.T) {
	runCases(t, "crash-data", []opCase{{
		name:  "debian",
		guest: debianGuest(),
		tree: map[string]string{
			"var/crash/202401011200/dump.202401011200": "vmcore",
			"var/crash/kexec_cmd":                      "x",
			"var/log/dump/x":                           "y",
			"var/log/syslog":                           "kept: not this op",
		},
		removed: abs("var/crash/202401011200/dump.202401011200", "var/crash/202401011200", "var/crash/kexec_cmd", "var/log/dump/x"),
	}, {
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/crash/127.0.0.1-2024/vmcore": "v"},
		removed: abs("var/crash/127.0.0.1-2024/vmcore", "var/crash/127.0.0.1-2024"),
	}})
}
