#!/usr/bin/env bash
# Generate Rust and Python skeletons with `squarely new` / `squarely add`, then prove they
# work: rustfmt- and ruff-clean for short and long names; for the Rust variants clippy -D
# warnings and the project's own tests (unit, integration against a real database, e2e over
# TCP); for the Python ones an install from PyPI into a fresh virtual environment, ruff, mypy
# --strict, `alembic upgrade head` and `alembic check`, and pytest (unit, integration, e2e);
# and for all a 100/100 audit, again after `add domain` and `add migration`. Each Rust
# service is also started the way its README says (`cp .env.example .env && cargo run`)
# and driven over loopback by scripts/check-serve.py: probes, CRUD, 50 concurrent writes,
# 413/405/404 bodies, HEAD, CORS, a 500 traced by its request id. The PostgreSQL variants
# run against a local server this script installs (Debian's postgresql package) and starts.
#
#   scripts/check-generated.sh [--keep] [--only actix-postgres|axum-sqlite|actix-sqlite|format|
#                                 python-format|python-sqlite|python-fbp|python-mm|python-rm|
#                                 python-postgres]
#
# Uses one shared CARGO_TARGET_DIR (target/generated) for every generated project so that
# their common dependencies compile once. Writes only under target/.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*"; }
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

cd "$here"
CARGO_TARGET_DIR="$here/target" cargo build --quiet --locked
squarely="$here/target/debug/squarely"
work="$here/target/generated-projects"
rm -rf "$work"
mkdir -p "$work"
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$here/target/generated"
export SOURCE_DATE_EPOCH=1795727045

audit_100() {
  "$squarely" audit "$1" --min-score 100 >/dev/null || {
    "$squarely" audit "$1" >&2
    echo "$1: expected 100/100" >&2
    exit 1
  }
}

# Formatting must not depend on the length of the names: check the shortest and longest.
if want format; then
  for framework in actix axum; do
    for auth in "--domain auth" ""; do
      for names in "ab:io" "abcdefghij_klmnopqrst_uvwxyzab:payment_reconciliation_entries"; do
        project="${names%%:*}"
        domain="${names##*:}"
        step "format: $framework ${auth:+with auth }project $project, domain $domain"
        dir="$work/format-$framework-${#project}${auth:+-auth}"
        mkdir -p "$dir"
        # shellcheck disable=SC2086 # $auth is zero or two words
        "$squarely" new "$project" --framework "$framework" --db sqlite --domain "$domain" \
          $auth --output-dir "$dir" >/dev/null
        (cd "$dir/$project" && "$squarely" add domain zz >/dev/null && cargo fmt --check)
      done
    done
  done
fi

# Python 3.11+ with venv and pip, installed from the distribution when missing.
need_python() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import ensurepip, venv" 2>/dev/null; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
  fi
  python3 -c "import sys; sys.exit(sys.version_info < (3, 11))" \
    || { echo "the Python skeletons need Python 3.11 or newer: $(python3 --version)" >&2; exit 2; }
}

if want python-format; then
  need_python
  step "python-format: ruff for short and long names, with and without auth, both databases"
  python3 -m venv "$work/venv-format"
  "$work/venv-format/bin/pip" install --quiet ruff
  for standard in coditect-backend fastapi-best-practices modular-monolith route-modules; do
  for db in postgres sqlite; do
    for auth in "--domain auth" ""; do
      for names in "ab:ox" "abcdefghij_klmnopqrst_uvwxyzab:payment_reconciliation_entries"; do
        project="${names%%:*}"
        domain="${names##*:}"
        dir="$work/pyformat-$standard-$db-${#project}${auth:+-auth}"
        mkdir -p "$dir"
        # shellcheck disable=SC2086 # $auth is zero or two words
        "$squarely" new "$project" --lang python --standard "$standard" --db "$db" \
          --domain "$domain" $auth --output-dir "$dir" >/dev/null
        (cd "$dir/$project" && "$squarely" add domain zz >/dev/null \
          && { [ "$standard" != route-modules ] || cd backend; } \
          && "$work/venv-format/bin/ruff" format --check . >/dev/null \
          && "$work/venv-format/bin/ruff" check --quiet .) \
          || { echo "$dir/$project: not ruff-clean" >&2; exit 1; }
      done
    done
  done
  done
fi

postgres_url=""
start_postgres() {
  step "PostgreSQL: install and start a local server"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  $sudo pg_ctlcluster "$version" main start 2>/dev/null || true
  local psql="$sudo su postgres -c"
  $psql "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'squarely_ci'\"" | grep -q 1 \
    || $psql "psql -v ON_ERROR_STOP=1 -qc \"CREATE ROLE squarely_ci WITH LOGIN PASSWORD 'squarely_ci' CREATEDB\""
  $psql "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'squarely_ci'\"" | grep -q 1 \
    || $psql "createdb -O squarely_ci squarely_ci"
  postgres_url="postgres://squarely_ci:squarely_ci@localhost:5432/squarely_ci"
}

# Build, lint and test one generated project, run it and drive it over loopback; add a
# domain and do it again (without the drive). $3 and $4 break and repair the database for
# the drive's 500 (`{table}` is a resource's table).
check_project() {
  local dir="$1" extra_domain="$2" break_cmd="$3" repair_cmd="$4"
  step "$(basename "$dir"): audit, clippy, tests"
  audit_100 "$dir"
  (cd "$dir" && cargo fmt --check && cargo clippy --quiet --all-targets -- -D warnings && cargo test --quiet)
  step "$(basename "$dir"): first run from .env.example, driven over loopback"
  need_python
  python3 "$here/scripts/check-serve.py" "$dir" --break-cmd "$break_cmd" --repair-cmd "$repair_cmd"
  step "$(basename "$dir"): add domain $extra_domain, then again"
  (cd "$dir" && "$squarely" add domain "$extra_domain" && "$squarely" add migration add_notes)
  audit_100 "$dir"
  (cd "$dir" && cargo fmt --check && cargo clippy --quiet --all-targets -- -D warnings && cargo test --quiet)
}

# Renames a table of the SQLite database data/<project>.db and back.
sqlite_rename() {
  local db="$1" from="$2" to="$3"
  printf '%s' "python3 -c \"import sqlite3; c = sqlite3.connect('data/$db.db'); c.execute('ALTER TABLE $from RENAME TO $to'); c.commit()\""
}

if want actix-postgres; then
  start_postgres
  step "new: actix + PostgreSQL, domains users, invoices, auth"
  "$squarely" new billing --framework actix --db postgres --domain users --domain invoices \
    --domain auth --output-dir "$work"
  # A fresh database: the service migrates it at its first run.
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root su postgres -c "dropdb --if-exists squarely_rs && createdb -O squarely_ci squarely_rs"
  pg="${postgres_url%/*}/squarely_rs"
  psql_run="psql -q -v ON_ERROR_STOP=1 $pg -c"
  DATABASE_URL="$pg" check_project "$work/billing" order_items \
    "$psql_run 'ALTER TABLE {table} RENAME TO {table}_broken'" \
    "$psql_run 'ALTER TABLE {table}_broken RENAME TO {table}'"
fi

if want axum-sqlite; then
  step "new: axum + SQLite, domains products, orders, auth"
  "$squarely" new shop --framework axum --db sqlite --domain products --domain orders \
    --domain auth --output-dir "$work"
  check_project "$work/shop" categories \
    "$(sqlite_rename shop '{table}' '{table}_broken')" "$(sqlite_rename shop '{table}_broken' '{table}')"
fi

if want actix-sqlite; then
  step "new: actix + SQLite, default domain, no auth"
  "$squarely" new depot --framework actix --db sqlite --output-dir "$work"
  check_project "$work/depot" categories \
    "$(sqlite_rename depot '{table}' '{table}_broken')" "$(sqlite_rename depot '{table}_broken' '{table}')"
fi

# Install, lint, type-check, migrate and test one generated Python project into a fresh
# virtual environment from the package registry; add a domain and a migration and do it again.
check_python_project() {
  local dir="$1" standard="$2" extra_domain="$3" backend="${4:-.}"
  local venv="$work/venv-$(basename "$dir")"
  step "$(basename "$dir"): install into a fresh virtual environment (pip, from PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  (cd "$dir/$backend" && "$venv/bin/pip" install --quiet -e . --group dev)
  local run=(env "PATH=$venv/bin:$PATH")
  python_checks() {
    (cd "$dir/$backend" && "${run[@]}" ruff check . && "${run[@]}" ruff format --check . \
      && "${run[@]}" mypy . && "${run[@]}" alembic upgrade head && "${run[@]}" alembic check \
      && "${run[@]}" pytest -q)
    "$squarely" audit "$dir" --standard "$standard" --min-score 100 >/dev/null || {
      "$squarely" audit "$dir" --standard "$standard" >&2
      echo "$dir: expected 100/100 on $standard" >&2
      exit 1
    }
  }
  step "$(basename "$dir"): ruff, mypy, alembic upgrade and check, pytest, audit 100"
  python_checks
  step "$(basename "$dir"): add domain $extra_domain and a migration, then again"
  (cd "$dir" && "$squarely" add domain "$extra_domain" >/dev/null \
    && "$squarely" add migration add_notes >/dev/null)
  python_checks
}

if want python-sqlite; then
  need_python
  step "new: Python FastAPI + SQLite (coditect-backend), domains products, orders, auth"
  "$squarely" new pyshop --lang python --db sqlite --domain products --domain orders \
    --domain auth --output-dir "$work" >/dev/null
  check_python_project "$work/pyshop" coditect-backend customers
fi

if want python-fbp; then
  need_python
  step "new: Python FastAPI + SQLite (fastapi-best-practices), domains posts, comments, auth"
  "$squarely" new pyblog --standard fastapi-best-practices --db sqlite --domain posts \
    --domain comments --domain auth --output-dir "$work" >/dev/null
  check_python_project "$work/pyblog" fastapi-best-practices tags
fi

if want python-mm; then
  need_python
  step "new: Python FastAPI + SQLite (modular-monolith), features products, orders, auth"
  "$squarely" new pymarket --standard modular-monolith --db sqlite --domain products \
    --domain orders --domain auth --output-dir "$work" >/dev/null
  check_python_project "$work/pymarket" modular-monolith customers
fi

if want python-rm; then
  need_python
  step "new: Python FastAPI + SQLite (route-modules), modules users, todo, auth"
  "$squarely" new pytodo --standard route-modules --db sqlite --domain users --domain todo \
    --domain auth --output-dir "$work" >/dev/null
  check_python_project "$work/pytodo" route-modules schedule_items backend
fi

if want python-postgres; then
  need_python
  start_postgres
  step "new: Python FastAPI + PostgreSQL (coditect-backend), domains users, invoices, auth"
  "$squarely" new pybilling --lang python --db postgres --domain users --domain invoices \
    --domain auth --output-dir "$work" >/dev/null
  # A database of its own, fresh.
  as_root=""
  [ "$(id -u)" = 0 ] || as_root="sudo"
  $as_root su postgres -c "dropdb --if-exists squarely_py && createdb -O squarely_ci squarely_py"
  pg="postgresql+asyncpg://squarely_ci:squarely_ci@localhost:5432/squarely_py"
  DATABASE_URL="$pg" TEST_DATABASE_URL="$pg" check_python_project "$work/pybilling" coditect-backend order_items
fi

step "generated projects: ok"
