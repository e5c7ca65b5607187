#!/usr/bin/env bash
# Makes sure the tools the build (--build), the demo (--demo) or the tests (default) need are
# present: installs them with apt when we are root, otherwise stops with the
# exact command to run. Never skips.
set -euo pipefail

mode=${1:-test}; mode=${mode#--}
need=()

# Go: Debian's own is too old; any Go >= 1.21 fetches the toolchain go.mod
# names through the Go module proxy by itself.
if ! command -v go >/dev/null 2>&1; then
  echo "Go is missing. Install Go 1.21 or newer (https://go.dev/doc/install, or your distribution's" >&2
  echo "backports), make sure 'go' is on PATH, then re-run. Go fetches the exact toolchain itself." >&2
  exit 1
fi
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)

# demo: headless Chromium only (e2e/demo.mjs), no Firefox, no keyring.
if [ "$mode" = test ] || [ "$mode" = demo ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
  command -v unzip >/dev/null 2>&1 || need+=(unzip)
  command -v zip >/dev/null 2>&1 || need+=(zip)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi
if [ "$mode" = test ]; then
  command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || need+=(firefox-esr)
  command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
  command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
  command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
fi

[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing $mode dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q "${need[@]}"
else
  echo "Missing $mode dependencies: ${need[*]}" >&2
  echo "Run:  sudo sh -c '$cmd'" >&2
  exit 1
fi
