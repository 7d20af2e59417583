#!/usr/bin/env bash
# Organize each stack's fixture for real (with --commit) and prove the code still works, at
# the end and at every commit of the series but the domains' rename commits:
#   - organize-fastapi-flat: every Python module imports (third-party packages stubbed) and
#     its test passes with pytest-free plain Python;
#   - express-layered: every Node module loads (third-party packages stubbed);
#   - real-organize-anchored: every Python module imports, and what alembic.ini and the
#     Dockerfile name is still where they say;
#   - real-organize-node-entry: package.json's main still starts, every module loads;
#   - organize-rust-misplaced: the crate builds and its tests pass;
# then `--undo` restores each tree byte for byte (names, bytes, modes), and the audit score
# before and after is printed. Needs python3, node and git; installs python3 and nodejs from
# Debian's packages when they are missing.
#
#   scripts/check-organize.sh [--keep]
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
[ "${1:-}" = "--keep" ] && keep=1
step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 && return
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}
# Running the organized code must not leave files behind (undo compares every byte).
export PYTHONDONTWRITEBYTECODE=1
need python3 python3
need node nodejs
need git git

cd "$here"
CARGO_TARGET_DIR="$here/target" cargo build --quiet --locked
squarely="$here/target/debug/squarely"
work="$here/target/organize-check"
rm -rf "$work"
mkdir -p "$work"
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT

# A copy of a fixture in its own git repository, committed.
repo() {
  local fixture="$1" dir="$work/$1${2:+-$2}"
  cp -r "tests/fixtures/$fixture" "$dir"
  git -C "$dir" init -q
  git -C "$dir" -c user.name=ci -c user.email=ci@example.com add -A
  git -C "$dir" -c user.name=ci -c user.email=ci@example.com commit -qm "before organize"
  echo "$dir"
}

# Names, bytes and modes of every file but .git.
fingerprint() {
  (cd "$1" && find . -path ./.git -prune -o -type f -print0 | sort -z \
    | xargs -0 stat -c '%n %a' && find . -path ./.git -prune -o -type f -print0 | sort -z \
    | xargs -0 sha256sum)
}

score() {
  "$squarely" audit "$1" --standard "$2" --format json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["score"])'
}

# Apply the plan for a standard (coditect-backend by default) with one commit per step; the
# audit after must give the score the plan predicted.
organize() {
  local dir="$1" standard="${2:-coditect-backend}"
  local before_print after predicted
  before_print="$(fingerprint "$dir")"
  local before
  before="$(score "$dir" "$standard")"
  predicted="$(cd "$dir" && "$squarely" organize --standard "$standard" --format json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["score_after"])')"
  (cd "$dir" && "$squarely" organize --standard "$standard" --apply --commit >/dev/null)
  after="$(score "$dir" "$standard")"
  echo "$(basename "$dir"): score $before -> $after ($standard)"
  if [ "$after" != "$predicted" ]; then
    echo "$(basename "$dir"): the plan predicted $predicted on $standard, the audit gives $after" >&2
    exit 1
  fi
  echo "$before_print" > "$dir.fingerprint"
}

undo_and_compare() {
  local dir="$1"
  (cd "$dir" && "$squarely" organize --undo >/dev/null)
  if ! diff <(cat "$dir.fingerprint") <(fingerprint "$dir") >/dev/null; then
    diff <(cat "$dir.fingerprint") <(fingerprint "$dir") | head -20 >&2
    echo "$(basename "$dir"): --undo did not restore the tree" >&2
    exit 1
  fi
  echo "$(basename "$dir"): undone, identical"
}

# Run a check (a command, in the folder) at every commit of the organize series, so that
# `git bisect` never lands on broken code. A domain's rename commit is skipped only when the
# very next commit is the rewrite of the imports it broke (git follows renames only when a
# commit renames without editing).
each_commit() {
  local dir="$1"; shift
  local branch root i
  local -a shas subjects
  branch="$(git -C "$dir" rev-parse --abbrev-ref HEAD)"
  root="$(git -C "$dir" rev-list --max-parents=0 HEAD)"
  mapfile -t shas < <(git -C "$dir" log --reverse --format='%H' "$root..HEAD")
  mapfile -t subjects < <(git -C "$dir" log --reverse --format='%s' "$root..HEAD")
  for i in "${!shas[@]}"; do
    local subject="${subjects[$i]}" next="${subjects[$((i + 1))]:-}"
    if [ "$next" = "organize: rewrite the imports broken by: ${subject#organize: }" ]; then
      continue
    fi
    git -C "$dir" checkout -q "${shas[$i]}"
    (cd "$dir" && "$@") || { echo "$(basename "$dir"): broken at commit '$subject'" >&2; exit 1; }
  done
  git -C "$dir" checkout -q "$branch"
  echo "$(basename "$dir"): every commit of the series checked (${#shas[@]} commits)"
}

# Import every Python module of the current folder but those matching $1 (a grep pattern).
import_all() {
  find . -path ./.git -prune -o -name '*.py' -print | grep -v -e "${1:-^$}" \
    | sed 's|^\./||; s|\.py$||; s|/|.|g' | grep -v '__init__$' | while read -r module; do
        PYTHONPATH="$stubs:." python3 -c "import importlib; importlib.import_module('$module')" \
          || { echo "cannot import $module" >&2; exit 1; }
      done
}

stubs="$work/python-stubs"
mkdir -p "$stubs/fastapi" "$stubs/sqlalchemy" "$stubs/pydantic"
cat > "$stubs/fastapi/__init__.py" <<'PY'
class FastAPI:
    def __init__(self, **_): self.routes = []
    def include_router(self, router): self.routes.extend(router.routes)
class APIRouter:
    def __init__(self, prefix="", **_): self.prefix, self.routes = prefix, []
    def _add(self, path):
        def register(fn):
            self.routes.append(type("Route", (), {"path": self.prefix + path})())
            return fn
        return register
    def get(self, path, **_): return self._add(path)
    def post(self, path, **_): return self._add(path)
def Depends(dependency): return dependency
PY
cat > "$stubs/sqlalchemy/__init__.py" <<'PY'
def create_engine(*_, **__): return object()
class Integer: pass
def String(*_): return str
PY
mkdir -p "$stubs/sqlalchemy/orm"
cat > "$stubs/sqlalchemy/orm/__init__.py" <<'PY'
class _Meta:
    def create_all(self, **_): pass
class DeclarativeBase:
    metadata = _Meta()
class Mapped:
    def __class_getitem__(cls, _): return cls
def mapped_column(*_, **__): return None
def sessionmaker(**_): return lambda: None
PY
cat > "$stubs/pydantic/__init__.py" <<'PY'
class BaseModel: pass
PY
mkdir -p "$stubs/alembic"
cat > "$stubs/alembic/__init__.py" <<'PY'
class _Context:
    def configure(self, **_): pass
context = _Context()
PY

# The Python fixtures onto each standard's layout: every module imports at every commit,
# the tests pass, what the configuration names is still there, undo restores every byte.
for standard in coditect-backend modular-monolith route-modules fastapi-best-practices; do
  step "organize-fastapi-flat onto $standard: apply, import every module, run the tests, undo"
  dir="$(repo organize-fastapi-flat "$standard")"
  organize "$dir" "$standard"
  each_commit "$dir" import_all
  (cd "$dir" && PYTHONPATH="$stubs:." python3 -c "
import importlib, pathlib
for path in pathlib.Path('tests').rglob('test_*.py'):
    module = importlib.import_module('.'.join(path.with_suffix('').parts))
    for name in dir(module):
        if name.startswith('test_'):
            getattr(module, name)()
print('python tests pass')")
  undo_and_compare "$dir"

  step "real-organize-anchored onto $standard: apply, import every module, files named by configuration still there, undo"
  dir="$(repo real-organize-anchored "$standard")"
  organize "$dir" "$standard"
  each_commit "$dir" import_all /migrations/
  # What alembic.ini and the Dockerfile name is still where they say.
  (cd "$dir" && test -f app/db/migrations/env.py && test -f app/main.py \
    && PYTHONPATH="$stubs:." python3 -c "import app.main; assert len(app.main.app.routes) == 2") \
    || { echo "real-organize-anchored: a file the configuration names moved" >&2; exit 1; }
  undo_and_compare "$dir"
done

step "express-layered: apply, load every module, undo"
dir="$(repo express-layered)"
organize "$dir"
for package in express knex dotenv; do
  mkdir -p "$dir/node_modules/$package"
done
# One universal stub: every property is a function returning another stub.
stub='const any = () => new Proxy(function () {}, { get: (_, key) => (key === "then" || typeof key === "symbol" ? undefined : any()), apply: () => any() }); module.exports = any();'
for package in express knex dotenv; do
  echo "$stub" > "$dir/node_modules/$package/index.js"
done
(cd "$dir" && find . -path ./.git -prune -o -path ./node_modules -prune -o -name '*.js' -print \
  | grep -v -e 'migrations/' -e 'knexfile' -e 'tests/' | while read -r module; do
      node -e "require('$module')" || { echo "cannot load $module after organize" >&2; exit 1; }
    done)
rm -rf "$dir/node_modules"
undo_and_compare "$dir"

step "real-organize-node-entry: apply, start from package.json main, undo"
dir="$(repo real-organize-node-entry)"
organize "$dir"
mkdir -p "$dir/node_modules/express"
echo "$stub" > "$dir/node_modules/express/index.js"
(cd "$dir" && node -e "require(require('path').resolve(require('./package.json').main))") \
  || { echo "real-organize-node-entry: package.json main no longer loads" >&2; exit 1; }
(cd "$dir" && find src -name '*.js' | while read -r module; do
    node -e "require('./$module')" || { echo "cannot load $module after organize" >&2; exit 1; }
  done)
rm -rf "$dir/node_modules"
undo_and_compare "$dir"

step "organize-rust-misplaced: apply, cargo build and test, undo"
dir="$(repo organize-rust-misplaced)"
organize "$dir"
export CARGO_TARGET_DIR="$work/rust-target"
# Warnings are errors, as in a team's CI: no `use` left unused by the rewrite.
RUSTFLAGS="-D warnings" each_commit "$dir" cargo build --quiet --all-targets
(cd "$dir" && cargo test --quiet)
unset CARGO_TARGET_DIR
rm -f "$dir/Cargo.lock" # written by the build; the fixture has none
undo_and_compare "$dir"

step "organized code works, and undo restores it: ok"
