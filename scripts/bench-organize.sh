#!/usr/bin/env bash
# Time `squarely organize` (the plan: layout, import rewriting, scores before and after) on a
# generated Express repository laid out by technical type: N domains, four files each
# (routes, controller, service, model) requiring one another, plus an app.js requiring every
# router — 10,000 files by default.
#
#   scripts/bench-organize.sh [--files N] [--runs N]
set -euo pipefail

files=10000
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$here/bench-work"
repo="$work/organize-$files"
mkdir -p "$work"
cd "$here"
cargo build --release --quiet
squarely="$here/target/release/squarely"

if [ ! -d "$repo" ]; then
  python3 - "$repo" "$files" <<'PY'
import os, sys
root, files = sys.argv[1], int(sys.argv[2])
domains = max(1, files // 4)
def write(path, text):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
write("package.json", '{"name": "bench-shop", "dependencies": {"express": "^4.19.0"}}\n')
write("README.md", "# bench-shop\n\nA generated Express app laid out by technical type.\n")
app = ["const express = require('express');", "const app = express();"]
for i in range(domains):
    d = f"item{i}s"
    write(f"src/models/{d}.model.js", f"const db = require('../config/database');\nmodule.exports = {{ all: () => db('{d}') }};\n")
    write(f"src/services/{d}.service.js", f"const Model = require('../models/{d}.model');\nmodule.exports = {{ list: () => Model.all() }};\n")
    write(f"src/controllers/{d}.controller.js", f"const service = require('../services/{d}.service');\nmodule.exports = {{ list: (req, res) => res.json(service.list()) }};\n")
    write(f"src/routes/{d}.js", f"const router = require('express').Router();\nconst controller = require('../controllers/{d}.controller');\nrouter.get('/', controller.list);\nmodule.exports = router;\n")
    app.append(f"app.use('/{d}', require('./routes/{d}'));")
write("src/config/database.js", "module.exports = (table) => [];\n")
write("src/app.js", "\n".join(app + ["module.exports = app;", ""]))
PY
fi
count=$(find "$repo" -type f | wc -l)
echo "repository: $repo ($count files)"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "$runs" "$squarely organize $repo --format json"
else
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e s, %M KB' "$squarely" organize "$repo" --format json >/dev/null
  done
fi
