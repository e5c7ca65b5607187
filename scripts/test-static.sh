#!/usr/bin/env bash
# Formatting, vet, and cross-compilation so per-OS code stays honest.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l host internal installer tools 2>/dev/null || true)
if [ -n "$unformatted" ]; then echo "gofmt needed on:"; echo "$unformatted"; exit 1; fi
go vet ./...
# tools/dist (make dist's packer) is its own module: vet and its unit tests.
(cd tools/dist && go vet ./... && go test -count=1 ./... >/dev/null)
# staticcheck through the Go toolchain, pinned: a version that builds with our Go.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
for target in windows/amd64 darwin/arm64; do
  GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build -o /dev/null ./...
done
echo "static checks: gofmt, vet, staticcheck, cross-builds (windows/amd64, darwin/arm64) ok"
