#!/usr/bin/env bash
# Benchmark `squarely new` (render every file in memory, then write): the median of N runs for
# the Rust skeleton and each Python standard, with three domains including auth. Target
# (issue 13): well under 100 ms.
#
#   scripts/bench-new.sh [--runs N]
set -euo pipefail
runs=21
[ "${1:-}" = "--runs" ] && runs="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build --release --quiet
squarely="$here/target/release/squarely"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-40s %10s\n' "variant" "median"
for variant in "--lang rust" "--standard coditect-backend --lang python" \
  "--standard fastapi-best-practices" "--standard modular-monolith" "--standard route-modules"; do
  times=()
  for i in $(seq "$runs"); do
    dir="$work/$i"
    mkdir -p "$dir"
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # $variant is two or four words
    "$squarely" new shop $variant --domain products --domain orders --domain auth \
      --output-dir "$dir" >/dev/null
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000 ))")
    rm -rf "$dir"
  done
  ms=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.1f ms", $1 / 1000}')
  printf '%-40s %10s\n' "$variant" "$ms"
done
