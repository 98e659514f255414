package customize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDk9 ci@host"

func TestSSHInject(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(keyFile, []byte("ssh-rsa AAAAB3 file@host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := accountTree()
	tr["root/.ssh/authorized_keys"] = "ssh-rsa OLD old@host" // no final newline
	root := testtool.MemFS(t, tr)
	if err := root.Lchown("/home/alice", 1000, 1000); err != nil {
		t.Fatal(err)
	}
	before := testtool.FSSnapshot(t, root)
	err := Apply(t.Context(), Target{Guest: debian12(), Root: root}, []Step{
		{"ssh-inject", "alice:string:" + testKey},
		{"ssh-inject", "alice:file:" + keyFile},
		{"ssh-inject", "root:string:" + testKey + "\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantDiff(t, testtool.SnapshotDiff(before, testtool.FSSnapshot(t, root)),
		`+ /home/alice/.ssh d 0700 1000:1000`,
		`+ /home/alice/.ssh/authorized_keys f 0600 1000:1000 "`+testKey+`\nssh-rsa AAAAB3 file@host\n"`,
		`~ /root/.ssh/authorized_keys f 0644 0:0 "ssh-rsa OLD old@host\n`+testKey+`\n"`)
}

func TestSSHInjectErrors(t *testing.T) {
	err := Step{"ssh-inject", "alice"}.Validate()
	wantErr(t, err, "file:PATH", "string:KEY", "not offered")
	wantErr(t, Step{"ssh-inject", "alice:url:x"}.Validate(), `unknown key selector "url"`)
	err = Step{"ssh-inject", "alice:string:-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"}.Validate()
	wantErr(t, err, `--ssh-inject "alice:string:<hidden>"`, "private key")
	if strings.Contains(err.Error(), "b3Blbn") {
		t.Fatalf("private key in the error: %v", err)
	}
	priv := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(priv, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = apply(t, debian12(), accountTree(), Step{"ssh-inject", "alice:file:" + priv})
	wantErr(t, err, "is a private key")
	_, err = apply(t, debian12(), accountTree(), Step{"ssh-inject", "bob:string:" + testKey})
	wantErr(t, err, `user "bob"`, "/etc/passwd")
	tr := accountTree()
	delete(tr, "home/alice/")
	_, err = apply(t, debian12(), tr, Step{"ssh-inject", "alice:string:" + testKey})
	wantErr(t, err, "home directory /home/alice")
}
