#!/bin/sh
# Install a released squarely binary: no Rust toolchain needed.
#
#   curl -LsSf https://github.com/squarely-dev/squarely/releases/latest/download/install.sh | sh
#   sh install.sh [--version vX.Y.Z] [--to DIR]
#
# Downloads the archive for this machine (Linux x86_64/aarch64, static musl builds; macOS
# x86_64/arm64) from the GitHub release, checks it against the release's SHA256SUMS, and
# puts `squarely` in DIR (default: $SQUARELY_INSTALL_DIR, else ~/.local/bin). Nothing is
# run from the archive. SQUARELY_DOWNLOAD_URL overrides where releases are read from (a
# mirror, or file:// for tests): the archive is $SQUARELY_DOWNLOAD_URL/<version>/<file>.
set -eu

repository="squarely-dev/squarely"
version="latest"
to="${SQUARELY_INSTALL_DIR:-$HOME/.local/bin}"

usage() { sed -n '2,11p' "$0" 2>/dev/null || true; }
fail() { echo "squarely install: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || fail "--version needs a value"; version="$2"; shift 2 ;;
    --to) [ $# -ge 2 ] || fail "--to needs a value"; to="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument: $1 (see --help)" ;;
  esac
done
case "$version" in
  latest|v[0-9]*) ;;
  [0-9]*) version="v$version" ;;
  *) fail "--version takes a release tag such as v0.1.0, or latest: $version" ;;
esac

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target="x86_64-unknown-linux-musl" ;;
  Linux-aarch64|Linux-arm64) target="aarch64-unknown-linux-musl" ;;
  Darwin-x86_64) target="x86_64-apple-darwin" ;;
  Darwin-arm64) target="aarch64-apple-darwin" ;;
  *) fail "no release binary for $(uname -s) $(uname -m): install from PyPI (pipx install squarely) or build it (cargo install squarely)" ;;
esac
archive="squarely-$target.tar.gz"

if [ -n "${SQUARELY_DOWNLOAD_URL:-}" ]; then
  base="$SQUARELY_DOWNLOAD_URL/$version"
elif [ "$version" = latest ]; then
  base="https://github.com/$repository/releases/latest/download"
else
  base="https://github.com/$repository/releases/download/$version"
fi

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,file' --tlsv1.2 -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then
    wget -q "$1" -O "$2"
  else
    fail "needs curl or wget"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch "$base/$archive" "$work/$archive" || fail "cannot download $base/$archive"
fetch "$base/SHA256SUMS" "$work/SHA256SUMS" || fail "cannot download $base/SHA256SUMS"
expected="$(awk -v file="$archive" '$2 == file || $2 == "*" file { print $1 }' "$work/SHA256SUMS")"
[ -n "$expected" ] || fail "$archive is not listed in SHA256SUMS"
actual="$(sha256 "$work/$archive")"
[ "$expected" = "$actual" ] || fail "$archive does not match SHA256SUMS (expected $expected, got $actual): not installed"

tar -xzf "$work/$archive" -C "$work" "squarely-$target/squarely" \
  || fail "$archive does not hold squarely-$target/squarely"
mkdir -p "$to"
install -m 755 "$work/squarely-$target/squarely" "$to/squarely.new"
mv -f "$to/squarely.new" "$to/squarely"
echo "squarely installed to $to/squarely"
case ":$PATH:" in
  *":$to:"*) ;;
  *) echo "add $to to your PATH to run it" ;;
esac
