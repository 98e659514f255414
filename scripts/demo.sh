#!/usr/bin/env bash
# make demo: build the plugin, install it into ./.packer-plugins, make a small
# realistic Debian-like guest image (with a secret planted in every file
# sysprep should delete), run `packer build` of builder-examples/file on it,
# and print what was removed. Everything lands in ./demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-output
secret="DemoSecret$(date +%s)"
export CHECKPOINT_DISABLE=1
export PACKER_PLUGIN_PATH="$PWD/.packer-plugins"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# --- tools -------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1; then
  echo "demo: Go is missing. Install Go $(cat .go-version) or newer from https://go.dev/dl/ (Debian's golang package is too old)." >&2
  exit 1
fi
gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"
missing=() pkgs=()
for tp in qemu-img:qemu-utils mkfs.ext4:e2fsprogs sgdisk:gdisk sfdisk:fdisk ssh-keygen:openssh-client; do
  command -v "${tp%%:*}" >/dev/null 2>&1 || { missing+=("${tp%%:*}"); pkgs+=("${tp##*:}"); }
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "demo: missing tools: ${missing[*]}" >&2
  echo "      install them with: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
if ! command -v packer >/dev/null 2>&1 || ! packer plugins --help >/dev/null 2>&1; then
  say "Packer >= 1.10 not found: building Packer v1.14.3 from source (a few minutes, once)"
  bash .ci/install-packer.sh
fi

# --- plugin ------------------------------------------------------------------
say "Building packer-plugin-sysprep and installing it into $PACKER_PLUGIN_PATH"
go build -trimpath -o packer-plugin-sysprep .
packer plugins install --path ./packer-plugin-sysprep github.com/packer-sysprep/sysprep

# --- guest -------------------------------------------------------------------
say "Making a Debian 12-like guest: $out/debian.qcow2"
rm -rf "$out"
mkdir -p "$out"
go run ./tools/mkguest -o "$out/debian.qcow2" -size 1G -secret "$secret"

# --- packer build ------------------------------------------------------------
say "packer build builder-examples/file"
start=$(date +%s.%N)
packer build -color=false -var "input=$out/debian.qcow2" -var "output_dir=$out" \
  -var "root_password=demo-$(date +%s)" builder-examples/file
end=$(date +%s.%N)

# --- what changed ------------------------------------------------------------
say "What sysprep did (from $out/report.json)"
go run ./scripts/showreport "$out/report.json"

say "The planted secret, before and after"
golden="$out/base-golden.qcow2"
qemu-img convert -O raw "$golden" "$out/golden.raw"
in_count=$(grep -a -c "$secret" "$out/debian.qcow2" || true)
out_count=$(grep -a -c "$secret" "$out/golden.raw" || true)
echo "lines holding the secret: input image $in_count, generalized image $out_count (deleted files' bytes are not exported)"
rm -f "$out/golden.raw"
qemu-img info "$golden" | sed -n '1,6p'
printf 'packer build took %.1fs in all\n' "$(echo "$end - $start" | bc 2>/dev/null || awk "BEGIN{print $end - $start}")"
[ "$out_count" = 0 ] || { echo "demo: the secret survived in the output" >&2; exit 1; }
