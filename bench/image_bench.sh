#!/usr/bin/env bash
# Image-layer benchmark (make bench): our export against qemu-img convert.
#
# Input: a 4 GiB virtual qcow2 with 1 GiB of random data in scattered 64 KiB
# clusters. Our export also applies 4 MiB of scattered overlay writes and
# 200 MiB of discards. Each command runs ROUNDS times, in alternating
# order, from a warm page cache; the best wall time of each is compared.
# Needs qemu-img, go and GNU time (/usr/bin/time; apt-get install time).
set -euo pipefail

ROUNDS=${ROUNDS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/imagebench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in qemu-img go /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "image_bench: $tool is required" >&2; exit 1; }
done

(cd "$root" && go build -o "$work/imagebench" ./internal/image/cmd/imagebench)
"$work/imagebench" mkinput -o "$work/in.raw" -size 4G -data 1G
qemu-img convert -O qcow2 "$work/in.raw" "$work/in.qcow2"
rm "$work/in.raw"
cat "$work/in.qcow2" >/dev/null

# timed NAME CMD...: appends "wall user sys maxrss_kib" to $work/NAME.
timed() {
	local name=$1
	shift
	rm -f "$work/out.qcow2"
	sync
	sleep "${SETTLE:-2}" # let the filesystem finish discarding the last output
	/usr/bin/time -f "%e %U %S %M" -a -o "$work/$name" "$@" >/dev/null
}

# Alternate the order in every round: whichever runs second in a pair
# was seen to pay for the first one's freed blocks.
for r in $(seq "$ROUNDS"); do
	if ((r % 2)); then
		timed qemu qemu-img convert -O qcow2 "$work/in.qcow2" "$work/out.qcow2"
		timed ours "$work/imagebench" export -in "$work/in.qcow2" -out "$work/out.qcow2"
		qemu-img check -q "$work/out.qcow2"
		timed qemu-zstd qemu-img convert -c -O qcow2 -o compression_type=zstd "$work/in.qcow2" "$work/out.qcow2"
		timed ours-zstd "$work/imagebench" export -in "$work/in.qcow2" -out "$work/out.qcow2" -compression zstd
		qemu-img check -q "$work/out.qcow2"
	else
		timed ours "$work/imagebench" export -in "$work/in.qcow2" -out "$work/out.qcow2"
		qemu-img check -q "$work/out.qcow2"
		timed qemu qemu-img convert -O qcow2 "$work/in.qcow2" "$work/out.qcow2"
		timed ours-zstd "$work/imagebench" export -in "$work/in.qcow2" -out "$work/out.qcow2" -compression zstd
		qemu-img check -q "$work/out.qcow2"
		timed qemu-zstd qemu-img convert -c -O qcow2 -o compression_type=zstd "$work/in.qcow2" "$work/out.qcow2"
	fi
done

echo "all rounds (wall user sys maxrss_kib):"
for n in qemu ours qemu-zstd ours-zstd; do echo "  $n: $(tr '\n' '|' <"$work/$n")"; done

# best NAME: the line with the smallest wall time.
best() { sort -n "$work/$1" | head -1; }

echo "image export benchmark: 4 GiB virtual, 1 GiB random data, $(nproc) cores, best of $ROUNDS"
printf "%-10s %8s %8s %8s %10s\n" run wall_s user_s sys_s peak_rss
for n in qemu ours qemu-zstd ours-zstd; do
	read -r wall user sys rss <<<"$(best "$n")"
	printf "%-10s %8.2f %8.2f %8.2f %7d MiB\n" "$n" "$wall" "$user" "$sys" $((rss / 1024))
done
read -r qw _ <<<"$(best qemu)"
read -r ow _ _ orss <<<"$(best ours)"
read -r qzw _ <<<"$(best qemu-zstd)"
read -r ozw ozu ozs ozrss <<<"$(best ours-zstd)"
awk -v o="$ow" -v q="$qw" 'BEGIN { printf "export / qemu-img convert:              %.2fx (goal <= 1.0)\n", o / q }'
awk -v o="$ozw" -v q="$qzw" 'BEGIN { printf "zstd export / qemu-img convert -c zstd: %.2fx (goal < 1.0)\n", o / q }'
awk -v u="$ozu" -v s="$ozs" -v w="$ozw" 'BEGIN { printf "zstd export CPU / wall:                 %.2f cores\n", (u + s) / w }'
peak=$(( (orss > ozrss ? orss : ozrss) / 1024 ))
echo "peak RSS of our export: ${peak} MiB (goal <= 200)"
