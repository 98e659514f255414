// Package version holds the plugin's version, reported by `packer-plugin-sysprep describe`
// and used by `packer plugins install` to name the installed binary.
package version

import "github.com/hashicorp/packer-plugin-sdk/version"

var (
	// Version is the main version number. Release builds set it with
	// -ldflags "-X github.com/packer-sysprep/packer-plugin-sysprep/version.Version=X.Y.Z".
	Version = "0.1.0"
	// VersionPrerelease is "dev" for local builds and empty for releases.
	// `packer plugins install --path` accepts only "" and "dev".
	VersionPrerelease = "dev"
	// VersionMetadata is optional build metadata (semver "+..." part).
	VersionMetadata = ""
	// PluginVersion is what the plugin set reports to Packer.
	PluginVersion = version.NewPluginVersion(Version, VersionPrerelease, VersionMetadata)
)
