#!/usr/bin/env bash
# Benchmark squarely's layer contracts against import-linter and tach on the same project.
#
#   scripts/bench-contracts.sh [--modules "5000 20000"] [--runs N]
#
# For each size, generates (once) a layered Python package with scripts/gen_contracts.py
# (routes -> services -> crud, one upward import planted per 200 crud modules), installs
# import-linter and tach from PyPI into a virtual environment (once), checks that the three
# tools report the same number of violations, then times `lint-imports --no-cache`,
# `tach check` and `squarely audit --format json` in interleaved runs and prints the median
# and fastest wall time, peak memory and squarely's speed-up over each peer.
# Target (issue 16): squarely at least 3x faster than both. Work goes to bench-work/.
set -euo pipefail

sizes="5000 20000"
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --modules) sizes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/bench-work"
mkdir -p "$work"
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed to measure memory" >&2; exit 2; }

(cd "$here" && cargo build --release --quiet)
squarely="$here/target/release/squarely"

peers="$work/peers"
if [ ! -x "$peers/bin/tach" ] || [ ! -x "$peers/bin/lint-imports" ]; then
  python3 -m venv "$peers"
  "$peers/bin/pip" install --quiet import-linter tach
fi
echo "import-linter $("$peers/bin/pip" show import-linter | sed -n 's/^Version: //p'), tach $("$peers/bin/pip" show tach | sed -n 's/^Version: //p')"

# One run: prints "<ms> <KB>".
measure() {
  local out="$work/time.out"
  /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>&1 || true
  tail -1 "$out" | awk '{printf "%d %d\n", $1 * 1000, $2}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
fastest() { sort -n | head -1; }

for size in $sizes; do
  repo="$work/contracts-$size"
  if [ ! -d "$repo" ]; then
    planted="$(python3 "$here/scripts/gen_contracts.py" "$repo" --modules "$size")"
    echo "$planted" >"$repo/.planted"
  fi
  planted="$(cat "$repo/.planted")"
  cd "$repo"

  # The same violations, or the timings compare nothing.
  linter="$("$peers/bin/lint-imports" --no-cache 2>&1 | grep -c -- '^- app\.crud\..* -> app\.services\.' || true)"
  tach="$("$peers/bin/tach" check 2>&1 | grep -c "cannot depend on 'app.services'" || true)"
  "$squarely" audit . --format json -o "$work/contracts.json" >/dev/null || true
  ours="$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)
print(sum(1 for n in walk(report) if n.get("rule") == "data-no-upward-imports"))
' "$work/contracts.json")"
  echo
  echo "## $size modules: violations planted $planted; import-linter $linter, tach $tach, squarely $ours"
  if [ "$linter" != "$planted" ] || [ "$tach" != "$planted" ] || [ "$ours" != "$planted" ]; then
    echo "bench-contracts: the tools disagree on the violations" >&2
    exit 1
  fi

  : >"$work/c-linter.ms"; : >"$work/c-tach.ms"; : >"$work/c-squarely.ms"
  : >"$work/c-linter.kb"; : >"$work/c-tach.kb"; : >"$work/c-squarely.kb"
  for _ in $(seq "$runs"); do
    read -r ms kb < <(measure "$peers/bin/lint-imports" --no-cache)
    echo "$ms" >>"$work/c-linter.ms"; echo "$kb" >>"$work/c-linter.kb"
    read -r ms kb < <(measure "$peers/bin/tach" check)
    echo "$ms" >>"$work/c-tach.ms"; echo "$kb" >>"$work/c-tach.kb"
    read -r ms kb < <(measure "$squarely" audit . --format json -o "$work/contracts.json")
    echo "$ms" >>"$work/c-squarely.ms"; echo "$kb" >>"$work/c-squarely.kb"
  done
  echo "| tool | median | fastest | peak memory |"
  echo "| --- | ---: | ---: | ---: |"
  for tool in linter tach squarely; do
    printf '| %s | %s ms | %s ms | %s MB |\n' "$tool" \
      "$(median <"$work/c-$tool.ms")" "$(fastest <"$work/c-$tool.ms")" \
      "$(($(median <"$work/c-$tool.kb") / 1024))"
  done
  ours_ms="$(median <"$work/c-squarely.ms")"
  awk -v s="$ours_ms" -v l="$(median <"$work/c-linter.ms")" -v t="$(median <"$work/c-tach.ms")" \
    'BEGIN {printf "squarely is %.1fx faster than import-linter and %.1fx faster than tach (target: 3x)\n", l / s, t / s}'
  cd "$here"
done
