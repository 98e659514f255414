package sysprep

import (
	"strings"
	"testing"
)

func TestNetplanUnpin(t *testing.T) {
	cases := []struct {
		name, in, want string
		ok             bool
	}{{
		name: "match with other keys keeps them and set-name",
		in: "network:\n  ethernets:\n    lan:\n      match:\n        macaddress: \"52:54:00:12:34:56\"\n        driver: virtio_net\n" +
			"      set-name: lan\n      dhcp4: true\n",
		want: "network:\n  ethernets:\n    lan:\n      match:\n        driver: virtio_net\n      set-name: lan\n      dhcp4: true\n",
		ok:   true,
	}, {
		name: "match of macaddress only goes with set-name",
		in: "network:\n  version: 2\n  ethernets:\n    ens3:\n      # pinned by cloud-init\n      match:\n        macaddress: 52:54:00:12:34:56\n" +
			"      set-name: ens3\n      dhcp4: true\n    ens4:\n      match:\n        macaddress: 52:54:00:12:34:57\n      set-name: ens4\n",
		want: "network:\n  version: 2\n  ethernets:\n    ens3:\n      # pinned by cloud-init\n      dhcp4: true\n    ens4: {}\n",
		ok:   true,
	}, {
		name: "CRLF line ends are kept",
		in:   "network:\r\n  ethernets:\r\n    e:\r\n      match:\r\n        macaddress: 1\r\n      set-name: e\r\n",
		want: "network:\r\n  ethernets:\r\n    e: {}\r\n",
		ok:   true,
	}, {
		name: "a set address is dropped",
		in:   "network:\n  ethernets:\n    eth0:\n      macaddress: 02:00:00:00:00:01\n      dhcp4: true\n",
		want: "network:\n  ethernets:\n    eth0:\n      dhcp4: true\n",
		ok:   true,
	}, {
		name: "comments mentioning macaddress are fine",
		in:   "# no macaddress here\nnetwork:\n  version: 2\n",
		want: "# no macaddress here\nnetwork:\n  version: 2\n",
		ok:   true,
	}, {
		name: "list item refused",
		in:   "network:\n  x:\n    - macaddress: 1\n",
		ok:   false,
	}, {
		name: "tabs refused",
		in:   "network:\n\tmatch:\n\t\tmacaddress: 1\n",
		ok:   false,
	}, {
		name: "tabs without macaddress are not our business",
		in:   "network:\n\tversion: 2\n",
		want: "network:\n\tversion: 2\n",
		ok:   true,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, ok := netplanUnpin(splitLines(c.in))
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if !ok {
				if got := strings.Join(out, ""); got != c.in {
					t.Fatalf("refused input was modified:\n%s", got)
				}
				return
			}
			if got := strings.Join(out, ""); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func FuzzNetplanUnpin(f *testing.F) {
	f.Add("network:\n  ethernets:\n    e:\n      match:\n        macaddress: 1\n      set-name: e\n")
	f.Add("a:\n  macaddress: 1\nmacaddress: 2\n")
	f.Add("x: {macaddress: 1}\n")
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := netplanUnpin(splitLines(in))
		got := strings.Join(out, "")
		if !ok && got != in {
			t.Fatalf("refused input modified")
		}
		if ok && len(got) > len(in)+3*strings.Count(in, "\n")+3 {
			t.Fatalf("output grew: %q -> %q", in, got)
		}
	})
}

func TestNetplanUnpinLinear(t *testing.T) {
	// Hostile shapes (deep nesting, thousands of pins) stay linear: this
	// would take minutes if any step were quadratic.
	var b strings.Builder
	b.WriteString("root:\n")
	for i := range 20000 {
		b.WriteString(strings.Repeat(" ", i%2000+1) + "macaddress: 1\n")
	}
	for range 20000 {
		b.WriteString("x:\n match:\n  macaddress: 1\n set-name: x\n")
	}
	out, ok := netplanUnpin(splitLines(b.String()))
	if !ok || len(out) == 0 {
		t.Fatalf("ok=%v, %d lines", ok, len(out))
	}
}
