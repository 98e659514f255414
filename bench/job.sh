#!/usr/bin/env bash
# bench/job.sh: the whole sysprep job against the tools users would
# otherwise run, side by side, in one run on the same image.
#
#   bench/job.sh [IMAGE]     (default: a fresh 4 GiB demo image from tools/mkguest
#                             holding FILL (default 512M) of incompressible data)
#
# Prints seconds (median of RUNS runs, default 3) for:
#   sysprep      our whole job: open, default operations, discard, qcow2 export
#   qemu-img     `qemu-img convert -O qcow2` of the same image (a plain copy)
#   virt-sysprep `LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-sysprep -a copy`
#                (only when installed; it edits a copy in place)
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/sysprep" ./cmd/sysprep
img=${1:-}
if [[ -z "$img" ]]; then
	img="$work/debian.qcow2"
	go run ./tools/mkguest -o "$img" -size 4G -fill "${FILL:-512M}" >/dev/null
fi
[[ -f "$img" ]] || { echo "bench/job.sh: $img: no such image" >&2; exit 1; }

now() { date +%s.%N; }

# median SECONDS...: the middle value.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# time_runs CMD...: runs CMD RUNS times, prints the median wall time.
time_runs() {
	local ts=() t0 t1
	for ((i = 0; i < RUNS; i++)); do
		rm -f "$work/out.qcow2" "$work/copy.qcow2"
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
	done
	median "${ts[@]}"
}

vsize=$(qemu-img info --output=json "$img" | awk -F'[:,]' '/"virtual-size"/ {gsub(/ /, "", $2); print $2; exit}')
echo "image: $img ($(du -h --apparent-size "$img" | cut -f1) file, $((vsize >> 20)) MiB virtual), median of $RUNS runs"

ours=$(time_runs "$work/sysprep" -q -a "$img" -o "$work/out.qcow2")
"$work/sysprep" -q -a "$img" -o "$work/out.qcow2"
out_size=$(stat -c %s "$work/out.qcow2")
copy=$(time_runs qemu-img convert -O qcow2 "$img" "$work/copy.qcow2")
qemu-img convert -O qcow2 "$img" "$work/copy.qcow2"
copy_size=$(stat -c %s "$work/copy.qcow2")

printf '%-14s %8.3f s  output %s bytes\n' "sysprep" "$ours" "$out_size"
printf '%-14s %8.3f s  output %s bytes\n' "qemu-img" "$copy" "$copy_size"
awk -v a="$ours" -v b="$copy" 'BEGIN {printf "ratio sysprep/qemu-img convert: %.2f\n", a / b}'

if command -v virt-sysprep >/dev/null 2>&1; then
	vs=()
	for ((i = 0; i < RUNS; i++)); do
		cp --sparse=always "$img" "$work/vcopy.qcow2"
		t0=$(now)
		LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-sysprep -q -a "$work/vcopy.qcow2" >/dev/null 2>&1 || echo "virt-sysprep: failed (run $i)" >&2
		t1=$(now)
		vs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
	done
	v=$(median "${vs[@]}")
	printf '%-14s %8.3f s  (in place, TCG)\n' "virt-sysprep" "$v"
	awk -v a="$v" -v b="$ours" 'BEGIN {printf "ratio virt-sysprep/sysprep: %.1f\n", a / b}'
else
	echo "virt-sysprep: not installed"
fi
