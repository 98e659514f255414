package customize

import (
	"bytes"
	"errors"
)

func validateAppendLine(arg string) error {
	parts, err := splitN(arg, 2, "FILE:LINE")
	if err != nil {
		return err
	}
	if _, err := guestPath("file", parts[0]); err != nil {
		return err
	}
	if bytes.ContainsAny([]byte(parts[1]), "\n\r") {
		return errors.New("the line must not contain a newline")
	}
	return nil
}

// newlineOf guesses a file's newline from its first 8 KiB: "\r\n" if
// present, else "\n", else "\r", else "\n".
func newlineOf(data []byte) string {
	head := data[:min(len(data), 8192)]
	switch {
	case bytes.Contains(head, []byte("\r\n")):
		return "\r\n"
	case bytes.Contains(head, []byte("\n")):
		return "\n"
	case bytes.Contains(head, []byte("\r")):
		return "\r"
	}
	return "\n"
}

// applyAppendLine appends LINE and the file's newline. A missing file is
// created (0644) holding LINE and "\n"; a non-empty file that does not end
// with its newline gets one first.
func applyAppendLine(r *run, arg string) error {
	parts, _ := splitN(arg, 2, "FILE:LINE")
	p, _ := guestPath("file", parts[0])
	data, _, err := r.readFile(p)
	if err != nil {
		return err
	}
	nl := newlineOf(data)
	out := bytes.Clone(data)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte(nl)) {
		out = append(out, nl...)
	}
	out = append(out, parts[1]...)
	out = append(out, nl...)
	return r.writeFile(p, out, 0o644)
}
