#!/usr/bin/env bash
# Builds Packer from its Go module source at a pinned version and installs it as
# $(go env GOPATH)/bin/packer. The built binary is the cache: a second run with
# the same version is a no-op. Debian's own packer (1.6.6) is too old for
# `packer plugins install`, and release binaries cannot be downloaded here.
set -euo pipefail
PACKER_VERSION="${PACKER_VERSION:-1.14.3}"
bin="$(go env GOPATH)/bin"
if [ -x "$bin/packer" ] && "$bin/packer" version 2>/dev/null | grep -q "Packer v${PACKER_VERSION}\b"; then
  echo "packer v${PACKER_VERSION} already installed at $bin/packer"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The sum database does not know this module path; the module proxy serves it.
export GONOSUMDB="github.com/hashicorp/packer${GONOSUMDB:+,$GONOSUMDB}"
export GOFLAGS="-mod=mod"
cd "$work"
src="$(go mod download -json "github.com/hashicorp/packer@v${PACKER_VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
[ -d "$src" ] || { echo "install-packer: could not download github.com/hashicorp/packer@v${PACKER_VERSION}" >&2; exit 1; }
cp -r "$src" packer && chmod -R u+w packer && cd packer
echo "building packer v${PACKER_VERSION} from module source (a few minutes on 2 cores)..."
mkdir -p "$bin"
go build -trimpath -o "$bin/packer.tmp" .
mv "$bin/packer.tmp" "$bin/packer"
"$bin/packer" version
