package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func zoneTree() testtool.Tree {
	return testtool.Tree{
		"usr/share/zoneinfo/Europe/Paris": "TZif2 paris",
		"usr/share/zoneinfo/UTC":          "-> Etc/UTC",
		"usr/share/zoneinfo/Etc/UTC":      "TZif2 utc",
		"etc/localtime":                   "-> /usr/share/zoneinfo/Etc/UTC",
		"etc/timezone":                    "Etc/UTC\n",
	}
}

func TestTimezoneDebian(t *testing.T) {
	res := mustApply(t, debian12(), zoneTree(), Step{"timezone", "Europe/Paris"})
	wantDiff(t, res.diff,
		`~ /etc/localtime l 0777 0:0 -> /usr/share/zoneinfo/Europe/Paris`,
		`~ /etc/timezone f 0644 0:0 "Europe/Paris\n"`)
}

func TestTimezoneRHELReplacesAFile(t *testing.T) {
	tr := zoneTree()
	delete(tr, "etc/timezone")
	tr["etc/localtime"] = "TZif2 copy"
	res := mustApply(t, rocky9(), tr, Step{"timezone", "UTC"}) // UTC is itself a symlink in zoneinfo
	wantDiff(t, res.diff, `~ /etc/localtime l 0777 0:0 -> /usr/share/zoneinfo/UTC`)
}

func TestTimezoneMissingZone(t *testing.T) {
	res, err := apply(t, debian12(), zoneTree(), Step{"timezone", "Mars/Olympus"})
	wantErr(t, err, `customize --timezone "Mars/Olympus"`, `"Mars/Olympus"`, "/usr/share/zoneinfo/Mars/Olympus does not exist")
	wantDiff(t, res.diff)
	_, err = apply(t, debian12(), zoneTree(), Step{"timezone", "Europe"})
	wantErr(t, err, "not a zone file")
}

func TestTimezoneValidate(t *testing.T) {
	for _, bad := range []string{"", "../etc/passwd", "/UTC", "Europe//Paris", "Europe/Paris ", "a;b"} {
		if err := (Step{"timezone", bad}).Validate(); err == nil {
			t.Errorf("timezone %q accepted", bad)
		}
	}
	for _, good := range []string{"UTC", "Etc/GMT+5", "America/Port-au-Prince", "America/Argentina/Buenos_Aires"} {
		if err := (Step{"timezone", good}).Validate(); err != nil {
			t.Errorf("timezone %q: %v", good, err)
		}
	}
}
