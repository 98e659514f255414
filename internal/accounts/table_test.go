package accounts

import (
	"bytes"
	"testing"
)

func TestTableRoundTrip(t *testing.T) {
	for _, in := range []string{
		"",
		"\n",
		"root:x:0:0:root:/root:/bin/bash\n",
		"root:x:0:0:root:/root:/bin/bash", // no final newline
		"# comment\n\nroot:x:0:0::/root:/bin/sh\n+@nis::::::\n-bob\n",
		"a:b\r\nc:d\r\n",
	} {
		if got := ParseTable("/etc/passwd", []byte(in)).Bytes(); string(got) != in {
			t.Errorf("round trip of %q = %q", in, got)
		}
	}
}

func TestTableEntries(t *testing.T) {
	tb := ParseTable("/etc/group", []byte("# x:y\n+root:::\nwheel:x:10:alice\n-alice\n\nalice:x:1000:\n"))
	if tb.Index("root") != -1 || tb.Index("+root") != -1 || tb.Index("-alice") != -1 {
		t.Fatalf("comment or NIS lines taken as entries")
	}
	if tb.Index("wheel") != 2 || tb.Index("alice") != 5 {
		t.Fatalf("Index: wheel=%d alice=%d", tb.Index("wheel"), tb.Index("alice"))
	}
}

func TestTableAppendKeepsNISLast(t *testing.T) {
	tb := ParseTable("/etc/passwd", []byte("root:x:0:0::/root:/bin/sh\n+::::::"))
	tb.Append("bob", "x", "1000", "1000", "", "/home/bob", "/bin/sh")
	want := "root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n+::::::"
	if got := string(tb.Bytes()); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	tb = ParseTable("/etc/passwd", []byte("root:x:0:0::/root:/bin/sh"))
	tb.Append("bob", "x", "1000", "1000", "", "/home/bob", "/bin/sh")
	want = "root:x:0:0::/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n"
	if got := string(tb.Bytes()); got != want {
		t.Fatalf("no final newline: got %q\nwant %q", got, want)
	}
}

func TestTableSetFieldsUnchanged(t *testing.T) {
	tb := ParseTable("/etc/shadow", []byte("root:*:19000:0:99999:7:::\n"))
	tb.SetFields(0, tb.Fields(0))
	if tb.Changed() {
		t.Fatal("identical SetFields marked the table changed")
	}
}

func TestLoginDefs(t *testing.T) {
	d := ParseLoginDefs([]byte("# c\nUID_MIN\t\t 1000\nUID_MIN 2000\nHOME_MODE 0750\nENCRYPT_METHOD \"SHA512\"\nBAD x1\n"))
	if v, _ := d.Int("UID_MIN"); v != 2000 {
		t.Errorf("UID_MIN = %d, want the last value 2000", v)
	}
	if v, _ := d.Int("HOME_MODE"); v != 0o750 {
		t.Errorf("HOME_MODE = %o, want octal 750", v)
	}
	if v, _ := d.Get("ENCRYPT_METHOD"); v != "SHA512" {
		t.Errorf("ENCRYPT_METHOD = %q", v)
	}
	if _, ok := d.Int("BAD"); ok {
		t.Error("non-number parsed")
	}
	var nilDefs *LoginDefs
	if nilDefs.IntOr("UID_MIN", 7) != 7 {
		t.Error("nil LoginDefs must give defaults")
	}
}

func FuzzTableRoundTrip(f *testing.F) {
	f.Add([]byte("root:x:0:0::/root:/bin/sh\n+::::::"))
	f.Add([]byte("# c\n\nwheel:x:10:a,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb := ParseTable("/etc/group", data)
		if !bytes.Equal(tb.Bytes(), data) {
			t.Fatalf("round trip changed %q", data)
		}
		db := &DB{Group: tb, GShadow: ParseTable("/etc/gshadow", data)}
		db.dropMember("a")
		_ = db.Groups()
		if tb.Index("") >= 0 {
			_ = tb.Fields(tb.Index(""))
		}
	})
}
