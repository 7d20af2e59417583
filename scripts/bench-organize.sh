#!/usr/bin/env bash
# Benchmark `squarely organize` planning on generated Python backends laid out by layer.
#
#   scripts/bench-organize.sh [--files N]... [--runs N]
#
# Builds squarely in release mode, generates (once, under bench-work/) a repository of N
# files for each --files (10,000 and 100,000 by default) with scripts/gen_layered.py, where
# every file moves into a domain module and most imports are rewritten, then times
# `squarely organize --format json` (the whole plan: walk, plan, import rewrites, and the
# audits before and after) over several runs and reports the median, the peak memory and the
# phases of one run (SQUARELY_TIMINGS=1). Targets (issue 12): 10,000 files under 1 s,
# 100,000 files under 5 s.
set -euo pipefail

sizes=()
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --files) sizes+=("$2"); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/bench-work"
mkdir -p "$work"
cd "$here"
cargo build --release --quiet
squarely="$here/target/release/squarely"
command -v python3 >/dev/null || { echo "python3 is needed to generate the repositories" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed to measure memory" >&2; exit 2; }

echo "$(nproc) cores, medians of $runs runs"
printf '%-10s %8s %8s %10s %8s\n' "files" "moves" "edits" "median" "peak"
for n in "${sizes[@]}"; do
  repo="$work/layered-$n"
  [ -d "$repo" ] || python3 scripts/gen_layered.py "$repo" --files "$n"
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$squarely" organize "$repo" --format json > "$work/organize.json"
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  /usr/bin/time -f '%M' -o "$work/time.out" "$squarely" organize "$repo" --format json >/dev/null
  peak=$(( $(tail -n 1 "$work/time.out") / 1024 ))
  read -r moves edits < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["plan"]; print(len(p["moves"]), len(p["rewrites"]["edits"]))' "$work/organize.json")
  printf '%-10s %8s %8s %7s ms %5s MB\n' "$n" "$moves" "$edits" "$median" "$peak"
  echo "  phases of one run:"
  SQUARELY_TIMINGS=1 "$squarely" organize "$repo" --format json 2>&1 >/dev/null | sed 's/^/    /'
done
