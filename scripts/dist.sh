#!/usr/bin/env bash
# `make dist`: the release files in $DIST_OUT (default dist/release) — host
# archives for every target, the .deb, the Chrome Web Store zip, the Firefox
# .xpi and SHA256SUMS. Reproducible: -trimpath binaries, and tools/dist packs
# with sorted entries and every mtime at SOURCE_DATE_EPOCH (default: the last
# commit's time). The Makefile builds the extension first.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:?VERSION is not set (make dist sets it)}
out=${DIST_OUT:-dist/release}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1767225600)}
build=${DIST_BUILD:-dist/build}
targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)

rm -rf "$build"
mkdir -p "$build"
build=$(cd "$build" && pwd)
for t in "${targets[@]}"; do
  os=${t%/*} arch=${t#*/} exe=ringfence
  [ "$os" = windows ] && exe=ringfence.exe
  GOOS=$os GOARCH=$arch CGO_ENABLED=0 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X github.com/ringfence/ringfence/internal/version.Version=$version" \
    -o "$build/${os}_$arch/$exe" ./host/cmd/ringfence
done

# web-ext build applies web-ext's own file filter; tools/dist then repacks
# its zip deterministically (web-ext stamps entries with the build time).
extension/node_modules/.bin/web-ext build --source-dir dist/firefox --artifacts-dir "$build/webext" \
  --filename ringfence-firefox.xpi --overwrite-dest >/dev/null

(cd tools/dist && go build -trimpath -o "$build/distpack" .)
"$build/distpack" -version "$version" -epoch "$epoch" -root . -bins "$build" -chrome dist/chrome \
  -xpi "$build/webext/ringfence-firefox.xpi" -out "$out"
echo "make dist: $(ls "$out" | wc -l) files in $out (SOURCE_DATE_EPOCH=$epoch)"
