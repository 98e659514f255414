// Command packer-plugin-sysprep is the Packer plugin that serves the
// `sysprep` post-processor: it generalizes a disk image offline, the way
// virt-sysprep does, and bakes cloud-init defaults into it.
package main

import (
	"fmt"
	"log"
	"os"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/packer-sysprep/packer-plugin-sysprep/post-processor/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/version"
)

func main() {
	// Everything the plugin logs goes through the secret filter: the root
	// password options are registered as secrets in Configure.
	packersdk.LogSecretFilter.SetOutput(os.Stderr)
	log.SetOutput(&packersdk.LogSecretFilter)

	pps := plugin.NewSet()
	// DEFAULT_NAME: the component takes the plugin's name, so templates
	// say `post-processor "sysprep"`.
	pps.RegisterPostProcessor(plugin.DEFAULT_NAME, new(sysprep.PostProcessor))
	pps.SetVersion(version.PluginVersion)
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}
