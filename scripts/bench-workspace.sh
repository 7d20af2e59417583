#!/usr/bin/env bash
# Benchmark `squarely audit --workspace` on generated many-service monorepos, against
# `rg -c ''` over exactly the files the audit reads.
#
#   scripts/bench-workspace.sh [--size FILES:SERVICES]... [--runs N]
#
# Builds squarely in release mode, installs ripgrep with cargo when it is missing, generates
# (once, under bench-work/) a monorepo per --size with scripts/gen_monorepo.py: a FastAPI
# backend, SERVICES more services of 200 files each, a frontend filling the rest up to FILES
# tracked files, and ignored node_modules/, target/ and dist/ (by default 10,000:20,
# 100,000:200 and 300,000:600, the monorepos of issue 16). The files the audit reads are
# listed once with strace (every file it opens under the tree), then the two commands are
# timed run by run, interleaved. Reports per size: the files read, both medians, their
# ratio, the peak memory and the JSON and text output sizes. Targets (issue 16): at most 3x
# `rg -c`, linear in time and memory from 10,000 to 300,000 files, under 200 MB at 300,000,
# output linear in services.
set -euo pipefail

sizes=()
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --size) sizes+=("$2"); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000:20 100000:200 300000:600)

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
for tool in python3 strace xargs; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed to measure memory" >&2; exit 2; }

# Wall time (ms) of one run of a command; a failure to run (exit 2 and up) stops the benchmark.
wall() {
  local start end rc=0
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || rc=$?
  end=$(date +%s%N)
  if [ "$rc" -ge 2 ]; then echo "bench: exit $rc from: $*" >&2; exit 2; fi
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "$(nproc) cores, medians of $runs interleaved runs"
printf '%-16s %8s %10s %12s %6s %8s %9s %9s\n' \
  "files:services" "read" "rg -c" "--workspace" "ratio" "peak" "json" "text"
for size in "${sizes[@]}"; do
  files="${size%%:*}"; services="${size##*:}"
  repo="$work/ws-$files-$services"
  [ -d "$repo" ] || python3 scripts/gen_monorepo.py "$repo" --files "$files" \
    --services "$services" --service-files 200 >/dev/null
  cd "$repo"
  # Every regular file the audit opens inside the tree, once each.
  strace -f -e trace=openat -o "$work/ws.strace" \
    "$squarely" audit . --workspace --format json -o /dev/null >/dev/null 2>&1 || true
  grep -v -e O_DIRECTORY -e ENOENT "$work/ws.strace" | grep -o "\"$repo/[^\"]*\"" \
    | tr -d '"' | sort -u | tr '\n' '\0' > "$work/ws.read"
  read_count=$(tr -cd '\0' < "$work/ws.read" | wc -c)
  : > "$work/ws-rg.ms"; : > "$work/ws-sq.ms"
  for _ in $(seq "$runs"); do
    wall sh -c "xargs -0 '$rg' -c '' < '$work/ws.read'" >> "$work/ws-rg.ms"
    wall "$squarely" audit . --workspace --format json -o /dev/null >> "$work/ws-sq.ms"
  done
  rg_ms=$(median < "$work/ws-rg.ms"); sq_ms=$(median < "$work/ws-sq.ms")
  /usr/bin/time -f '%M' -o "$work/time.out" \
    "$squarely" audit . --workspace --format json -o "$work/ws.json" >/dev/null 2>&1 || true
  peak=$(( $(tail -n 1 "$work/time.out") / 1024 ))
  "$squarely" audit . --workspace -o "$work/ws.txt" >/dev/null 2>&1 || true
  ratio=$(awk -v a="$sq_ms" -v b="$rg_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '%-16s %8s %7s ms %9s ms %5sx %5s MB %6s KB %6s KB\n' "$files:$services" "$read_count" \
    "$rg_ms" "$sq_ms" "$ratio" "$peak" "$(( $(wc -c < "$work/ws.json") / 1024 ))" \
    "$(( $(wc -c < "$work/ws.txt") / 1024 ))"
  cd "$here"
done
