package customize

import "fmt"

// Validate checks the step's syntax without the guest.
func (s Step) Validate() error {
	if s.Op == "" {
		return fmt.Errorf("customize: empty option name")
	}
	return nil
}
