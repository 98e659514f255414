package cloudinit

import (
	"fmt"
	"strings"
)

// Validate checks the configuration without the guest.
func (c *Config) Validate() error {
	if c.FileName != "" && (!strings.HasSuffix(c.FileName, ".cfg") || strings.Contains(c.FileName, "/")) {
		return fmt.Errorf("cloud_init file name %q: must be a plain name ending in .cfg (cloud-init reads only *.cfg)", c.FileName)
	}
	return nil
}
