#!/usr/bin/env bash
# Regenerates everything `make generate` owns: the HCL2 spec and the
# docs-partials (packer-sdc, pinned by go.mod's tool directive), then the
# rendered docs in .web-docs/. CI fails when this leaves a diff.
#
# packer-sdc struct-markdown loops forever unless an ancestor directory is
# named packer-plugin-*; a checkout may be named anything, so generation runs
# through a symlink with the right name, and every step runs under timeout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ln -s "$root" "$tmp/packer-plugin-sysprep"
cd "$tmp/packer-plugin-sysprep"
export PWD="$tmp/packer-plugin-sysprep"

timeout 300 go generate ./post-processor/... ./version/...
rm -rf .docs
timeout 120 go tool packer-sdc renderdocs -src docs -partials docs-partials/ -dst .docs/
timeout 60 bash scripts/compile-webdocs.sh .docs .web-docs
rm -rf .docs
gofmt -l post-processor/ | { ! grep . ; }
