#!/usr/bin/env bash
# `make demo` / `make test-demo`: the whole product headless — the built
# extension in headless Chromium, the real host, stand-in pages at the real
# hostnames over local HTTPS, snapshots, an evidence kit exported and verified.
# Prints the kit's path and its index.html. `--check` asserts every step and
# exits non-zero on any failure (make test). The Makefile builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
check=()
out=out/demo
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=(--check) ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
for need in bin/ringfence dist/chrome/manifest.json e2e/node_modules/puppeteer-core; do
  [ -e "$need" ] || { echo "demo: $need is missing; run: make build e2e/node_modules/.stamp (or make demo)" >&2; exit 1; }
done
exec node e2e/demo.mjs "${check[@]}" --out "$out"
