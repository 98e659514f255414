package customize

import (
	"errors"
	"fmt"
	"strings"
)

// Validate checks the step's syntax without the guest.
func (s Step) Validate() error {
	if s.Op == "" {
		return errors.New("customize: empty option name")
	}
	o, ok := options[s.Op]
	if !ok {
		return fmt.Errorf("customize: unknown option --%s%s (supported: %s)", s.Op, suggest(s.Op), strings.Join(Options(), ", "))
	}
	if strings.ContainsRune(s.Arg, 0) {
		return s.wrap(errors.New("argument contains a NUL byte"))
	}
	if err := o.validate(s.Arg); err != nil {
		return s.wrap(err)
	}
	return nil
}

func suggest(op string) string {
	op = strings.TrimLeft(op, "-")
	if _, ok := options[op]; ok {
		return fmt.Sprintf(" (write the name without dashes: %q)", op)
	}
	for _, n := range Options() {
		if strings.HasPrefix(n, op) || strings.HasPrefix(op, n) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return ""
}

// splitN splits arg on ":" into exactly n parts, the last taking the rest,
// and names the expected form when parts are missing or empty.
func splitN(arg string, n int, form string) ([]string, error) {
	parts := strings.SplitN(arg, ":", n)
	if len(parts) != n {
		return nil, fmt.Errorf("want %s", form)
	}
	for i, p := range parts {
		if p == "" && i < n-1 {
			return nil, fmt.Errorf("want %s: part %d is empty", form, i+1)
		}
	}
	return parts, nil
}
