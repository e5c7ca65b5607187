#!/usr/bin/env bash
# Runs every Go fuzz target for a short time (FUZZTIME, default 10s) with
# input minimisation bounded, so `make test` finds what a fresh corpus finds
# in seconds. A failure leaves its input under testdata/fuzz/ of the package:
# commit it with the fix, and plain `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
export GOCACHE="$(go env GOCACHE)"
targets=$(grep -rl --include='*_test.go' '^func Fuzz' internal | sort)
for f in $targets; do
  pkg=./$(dirname "$f")
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    echo "fuzz $pkg $fn ($fuzztime)"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s -parallel 2 "$pkg"
  done
done
