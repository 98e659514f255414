package guestgen

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// hostKeys returns Debian's three SSH host key pairs as guest files
// (etc/ssh/ssh_host_{ed25519,rsa,ecdsa}_key[.pub]). The keys are made by
// ssh-keygen when it is installed (comment "root@<secret>", so the secret is
// in each .pub in clear); otherwise they are OpenSSH-shaped stand-ins that
// carry the secret.
func hostKeys(secret string) Tree {
	t := Tree{}
	keysOnce.Do(makeKeys)
	for _, kt := range keyTypes {
		name := "ssh_host_" + kt + "_key"
		k, ok := keys[kt]
		priv, pub := k[0], k[1]
		if ok {
			// Same key pair for every image of a process (RSA generation
			// costs a second); the .pub comment carries this secret.
			if i := strings.LastIndexByte(strings.TrimSuffix(pub, "\n"), ' '); i > 0 {
				pub = pub[:i] + " root@" + secret + "\n"
			}
		} else {
			priv, pub = fakeKey(kt, secret)
		}
		t["etc/ssh/"+name] = Owned(priv, 0o600, 0, 0)
		t["etc/ssh/"+name+".pub"] = Text(pub)
	}
	return t
}

var (
	keyTypes = []string{"ed25519", "rsa", "ecdsa"}
	keysOnce sync.Once
	keys     map[string][2]string // type -> private, public
)

func makeKeys() {
	keys = map[string][2]string{}
	dir, err := os.MkdirTemp("", "guestgen-keys-")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	for _, kt := range keyTypes {
		if priv, pub, ok := sshKeygen(dir, kt, "root@debian"); ok {
			keys[kt] = [2]string{priv, pub}
		}
	}
}

func sshKeygen(dir, kt, comment string) (priv, pub string, ok bool) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		return "", "", false
	}
	p := filepath.Join(dir, kt)
	args := []string{"-q", "-t", kt, "-N", "", "-C", comment, "-f", p}
	if kt == "rsa" {
		args = append(args, "-b", "3072")
	}
	if out, err := exec.Command("ssh-keygen", args...).CombinedOutput(); err != nil {
		_ = out
		return "", "", false
	}
	b1, err1 := os.ReadFile(p)
	b2, err2 := os.ReadFile(p + ".pub")
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	return string(b1), string(b2), true
}

// fakeKey makes an OpenSSH-shaped key pair when ssh-keygen is missing.
func fakeKey(kt, secret string) (priv, pub string) {
	sum := sha256.Sum256([]byte(kt + secret))
	body := base64.StdEncoding.EncodeToString([]byte("openssh-key-v1\x00" + secret + hex.EncodeToString(sum[:])))
	priv = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n"
	algo := map[string]string{"ed25519": "ssh-ed25519", "rsa": "ssh-rsa", "ecdsa": "ecdsa-sha2-nistp256"}[kt]
	pub = fmt.Sprintf("%s %s root@%s\n", algo, base64.StdEncoding.EncodeToString(sum[:]), secret)
	return priv, pub
}

// MachineID is the machine ID DebianTree writes for a secret: 32 hex digits.
func MachineID(secret string) string {
	sum := sha256.Sum256([]byte("machine-id:" + secret))
	return hex.EncodeToString(sum[:16])
}

// HashSecret is the string DebianTree embeds in root's password hash in
// /etc/shadow and /etc/shadow- (the secret reversed, so that it never
// matches the secret itself: the default operations do not rewrite
// /etc/shadow, --root-password does).
func HashSecret(secret string) string {
	b := []byte(secret)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
