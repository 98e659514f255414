package customize

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/accounts"
)

// maxKeyFile caps a host public-key file.
const maxKeyFile = 1 << 20

type sshInjectArg struct {
	user, kind, value string
}

func parseSSHInject(arg string) (sshInjectArg, error) {
	user, sel, ok := strings.Cut(arg, ":")
	if err := validUser(user); err != nil {
		return sshInjectArg{}, err
	}
	if !ok || sel == "" {
		return sshInjectArg{}, errors.New("want USER:file:PATH or USER:string:KEY (reading the host's ~/.ssh/id*.pub is not offered: name the key)")
	}
	kind, value, _ := strings.Cut(sel, ":")
	switch kind {
	case "file", "string":
		if strings.TrimSpace(value) == "" {
			return sshInjectArg{}, fmt.Errorf("empty %s: value", kind)
		}
	default:
		return sshInjectArg{}, fmt.Errorf("unknown key selector %q: want file:PATH or string:KEY", kind)
	}
	if kind == "string" && strings.Contains(value, "PRIVATE KEY") {
		return sshInjectArg{}, errors.New("that is a private key: give the public one (.pub)")
	}
	return sshInjectArg{user: user, kind: kind, value: value}, nil
}

// redactSSHInject hides a private key pasted by mistake.
func redactSSHInject(arg string) string {
	if i := strings.Index(arg, ":string:"); i >= 0 && strings.Contains(arg, "PRIVATE KEY") {
		return arg[:i] + ":string:" + hidden
	}
	return arg
}

func validateSSHInject(arg string) error {
	_, err := parseSSHInject(arg)
	return err
}

// applySSHInject appends a public key to the user's authorized_keys,
// creating ~/.ssh (0700) and the file (0600) owned by the user when missing.
func applySSHInject(r *run, arg string) error {
	a, _ := parseSSHInject(arg)
	key := []byte(a.value)
	if a.kind == "file" {
		st, err := os.Stat(a.value)
		if err != nil {
			return fmt.Errorf("public key file: %w", err)
		}
		if !st.Mode().IsRegular() || st.Size() > maxKeyFile {
			return fmt.Errorf("public key file %s: not a regular file of at most %d bytes", a.value, maxKeyFile)
		}
		if key, err = os.ReadFile(a.value); err != nil {
			return fmt.Errorf("public key file: %w", err)
		}
		if len(bytes.TrimSpace(key)) == 0 {
			return fmt.Errorf("public key file %s is empty", a.value)
		}
		if bytes.Contains(key, []byte("PRIVATE KEY")) {
			return fmt.Errorf("%s is a private key: give the public one (.pub)", a.value)
		}
	}
	if !bytes.HasSuffix(key, []byte("\n")) {
		key = append(key, '\n')
	}
	db, err := accounts.Load(r.root)
	if err != nil {
		return err
	}
	u, err := db.LookupUser(a.user)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(u.Home, "/") {
		return fmt.Errorf("user %q has no absolute home directory in /etc/passwd (%q)", u.Name, u.Home)
	}
	home, st, err := r.stat(path.Clean(u.Home))
	if err != nil || !st.IsDir() {
		return fmt.Errorf("home directory %s of user %q does not exist in the guest", u.Home, u.Name)
	}
	dir := path.Join(home, ".ssh")
	if ok, err := r.exists(dir); err != nil {
		return err
	} else if !ok {
		if err := r.root.Mkdir(dir, 0o700); err != nil {
			return err
		}
		if err := r.root.Lchown(dir, u.UID, u.GID); err != nil {
			return err
		}
	}
	file := path.Join(dir, "authorized_keys")
	old, existed, err := r.readFile(file)
	if err != nil {
		return err
	}
	data := old
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n') // never glue the new key onto the last one
	}
	data = append(data, key...)
	if err := r.writeFile(file, data, 0o600); err != nil {
		return err
	}
	if !existed {
		return r.root.Lchown(file, u.UID, u.GID)
	}
	return nil
}
