#!/usr/bin/env bash
# compile-webdocs.sh SRC DST: turns the rendered docs (packer-sdc renderdocs
# output: README.md and post-processors/*.mdx with the partials inlined) into
# the .web-docs layout the Packer integrations site reads:
#   DST/README.md
#   DST/components/post-processor/<slug>/README.md
# The component pages lose their front matter, title and "Type:" line (the
# site prints its own), and "### Optional" headings become bold labels.
set -euo pipefail
src="${1:?usage: compile-webdocs.sh SRC DST}"
dst="${2:?usage: compile-webdocs.sh SRC DST}"
[ -f "$src/README.md" ] || { echo "compile-webdocs: $src/README.md missing" >&2; exit 1; }
rm -rf "$dst/components"
mkdir -p "$dst/components"
cp "$src/README.md" "$dst/README.md"
for kind in post-processors:post-processor builders:builder provisioners:provisioner datasources:data-source; do
  dir="${kind%%:*}" type="${kind##*:}"
  [ -d "$src/$dir" ] || continue
  for f in "$src/$dir"/*.mdx; do
    [ -e "$f" ] || continue
    slug="$(basename "$f" .mdx)"
    mkdir -p "$dst/components/$type/$slug"
    awk '
      NR == 1 && $0 == "---" { fm = 1; next }
      fm { if ($0 == "---") fm = 0; next }
      !seen_title && /^# / { seen_title = 1; skip_blank = 1; next }
      /^Type: `/ { skip_blank = 1; next }
      skip_blank && /^$/ { next }
      { skip_blank = 0 }
      /^### (Required|Optional)$/ { sub(/^### /, ""); print "**" $0 "**"; next }
      { print }
    ' "$f" > "$dst/components/$type/$slug/README.md"
  done
done
