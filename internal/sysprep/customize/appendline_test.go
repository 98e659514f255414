package customize

import (
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

func TestAppendLine(t *testing.T) {
	tr := testtool.Tree{
		"etc/unix":      "a\nb",
		"etc/dos":       "a\r\nb\r\n",
		"etc/mac":       "a\rb",
		"etc/empty":     "",
		"etc/fstab":     "# fstab\n",
		"etc/link.conf": "-> fstab",
	}
	res := mustApply(t, debian12(), tr,
		Step{"append-line", "/etc/unix:c"}, Step{"append-line", "/etc/dos:c"}, Step{"append-line", "/etc/mac:c"},
		Step{"append-line", "/etc/empty:c"}, Step{"append-line", "/etc/new:x=1:2"}, Step{"append-line", "/etc/link.conf:/dev/vdb /data ext4 defaults 0 2"})
	wantDiff(t, res.diff,
		`~ /etc/unix f 0644 0:0 "a\nb\nc\n"`,
		`~ /etc/dos f 0644 0:0 "a\r\nb\r\nc\r\n"`,
		`~ /etc/mac f 0644 0:0 "a\rb\rc\r"`,
		`~ /etc/empty f 0644 0:0 "c\n"`,
		`+ /etc/new f 0644 0:0 "x=1:2\n"`,
		`~ /etc/fstab f 0644 0:0 "# fstab\n/dev/vdb /data ext4 defaults 0 2\n"`)
	if err := (Step{"append-line", "/etc/x:a\nb"}).Validate(); err == nil {
		t.Error("a line with a newline accepted")
	}
}
