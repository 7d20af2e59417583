#!/usr/bin/env bash
# Benchmark `squarely audit` against `rg --files` and `find` on a synthetic backend monorepo.
#
#   scripts/bench.sh [--files N] [--domains N] [--runs N]
#
# Builds squarely in release mode, installs ripgrep with cargo when it is missing, generates
# (once) a monorepo of N tracked files (100,000 by default) plus a large ignored
# node_modules/, target/ and dist/, then times each command over several runs and reports
# the median wall time and the peak memory. Targets: audit at most 1.0x `rg --files`,
# peak memory under 200 MB. Everything is written under bench-work/ (gitignored).
set -euo pipefail

files=100000
domains=100
runs=7
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --domains) domains="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/bench-work"
mkdir -p "$work"
cd "$here"

cargo build --release --quiet
squarely="$here/target/release/squarely"

if command -v rg >/dev/null 2>&1; then
  rg="$(command -v rg)"
else
  rg="$work/tools/bin/rg"
  [ -x "$rg" ] || cargo install ripgrep --locked --quiet --root "$work/tools"
fi
command -v python3 >/dev/null || { echo "python3 is needed to generate the repository" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed to measure memory" >&2; exit 2; }

repo="$work/repo-$files-$domains"
if [ ! -d "$repo" ]; then
  python3 "$here/scripts/gen_monorepo.py" "$repo" --files "$files" --domains "$domains"
fi
cd "$repo"

# Stop the benchmark when a command failed to run (exit 2 and up: a usage error, a crash):
# timing a command that refused its arguments measures nothing. Exit 1 is a low score.
ran() {
  local rc="$1"; shift
  if [ "$rc" -ge 2 ]; then
    echo "bench: exit $rc from: $*" >&2
    "$@" >/dev/null || true
    exit 2
  fi
}

# Wall time (ms) of one run of a command.
wall() {
  local start end rc=0
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || rc=$?
  end=$(date +%s%N)
  ran "$rc" "$@"
  echo $(( (end - start) / 1000000 ))
}

# Peak RSS (MB) of one run of a command.
peak() {
  local rc=0
  /usr/bin/time -f '%M' -o "$work/time.out" "$@" >/dev/null 2>&1 || rc=$?
  ran "$rc" "$@"
  echo $(( $(tail -n 1 "$work/time.out") / 1024 ))
}

# Median and minimum of numbers on stdin.
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d %d\n", a[int((NR+1)/2)], a[1]}'; }

tracked=$("$rg" --files | wc -l)
echo "repository: $repo ($tracked tracked files, $(find . -type f | wc -l) on disk), $runs runs, $(nproc) cores"
# Interleave the commands run by run, so that a noisy machine hurts them alike.
: > "$work/rg.ms"; : > "$work/find.ms"; : > "$work/squarely.ms"
wall "$rg" --files >/dev/null; wall "$squarely" audit . --format json -o /dev/null >/dev/null
# Every other run in reverse order, so that no command always follows the same one.
for run in $(seq "$runs"); do
  if [ $((run % 2)) -eq 1 ]; then
    wall "$rg" --files >> "$work/rg.ms"
    wall find . -type f >> "$work/find.ms"
    wall "$squarely" audit . --format json -o /dev/null >> "$work/squarely.ms"
  else
    wall "$squarely" audit . --format json -o /dev/null >> "$work/squarely.ms"
    wall find . -type f >> "$work/find.ms"
    wall "$rg" --files >> "$work/rg.ms"
  fi
done
read -r rg_ms rg_min < <(stats < "$work/rg.ms")
read -r find_ms find_min < <(stats < "$work/find.ms")
read -r sq_ms sq_min < <(stats < "$work/squarely.ms")
rg_mb=$(peak "$rg" --files); find_mb=$(peak find . -type f)
sq_mb=$(peak "$squarely" audit . --format json -o /dev/null)
printf '%-32s %10s %10s %8s\n' "command" "median" "fastest" "peak"
printf '%-32s %7s ms %7s ms %5s MB\n' "rg --files" "$rg_ms" "$rg_min" "$rg_mb"
printf '%-32s %7s ms %7s ms %5s MB\n' "find . -type f" "$find_ms" "$find_min" "$find_mb"
printf '%-32s %7s ms %7s ms %5s MB\n' "squarely audit --format json" "$sq_ms" "$sq_min" "$sq_mb"
ratio=$(awk -v a="$sq_ms" -v b="$rg_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
echo "audit / rg --files (medians) = ${ratio}x (target <= 1.0x); peak memory ${sq_mb} MB (target < 200 MB)"
# The CI gate's extras on the same tree: every report format at once, a baseline comparison,
# and --workspace (every backend project scored).
rc=0; "$squarely" audit . --save-baseline "$work/baseline.json" -o /dev/null >/dev/null 2>&1 || rc=$?
ran "$rc" "$squarely" audit . --save-baseline "$work/baseline.json" -o /dev/null
: > "$work/formats.ms"; : > "$work/baseline.ms"; : > "$work/workspace.ms"
for _ in $(seq 3); do
  wall "$squarely" audit . --format json -o "$work/r.json" --format sarif -o "$work/r.sarif" \
    --format junit -o "$work/r.xml" --format markdown -o "$work/r.md" --format github >> "$work/formats.ms"
  wall "$squarely" audit . --baseline "$work/baseline.json" --format json -o /dev/null >> "$work/baseline.ms"
  wall "$squarely" audit . --workspace --format json -o /dev/null >> "$work/workspace.ms"
done
services=$("$squarely" audit . --workspace --format json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["reports"]))')
read -r fmt_ms _ < <(stats < "$work/formats.ms")
read -r bl_ms _ < <(stats < "$work/baseline.ms")
read -r ws_ms _ < <(stats < "$work/workspace.ms")
ws_mb=$(peak "$squarely" audit . --workspace --format json -o /dev/null)
printf '%-32s %7s ms (median of 3)\n' "all six formats in one run" "$fmt_ms"
printf '%-32s %7s ms (median of 3)\n' "--baseline (no change)" "$bl_ms"
printf '%-32s %7s ms (median of 3), %s services, peak %s MB\n' "--workspace" "$ws_ms" "$services" "$ws_mb"
echo "phases of one audit (SQUARELY_TIMINGS=1):"
SQUARELY_TIMINGS=1 "$squarely" audit . --format json -o /dev/null
