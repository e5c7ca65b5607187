#!/usr/bin/env bash
# Makes sure the tools the tests need are present: installs them with apt when
# we are root, otherwise stops with the exact command to run. Never skips.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || need+=(firefox-esr)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
fc-list 2>/dev/null | grep -qi liberation || need+=(fonts-liberation)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v go >/dev/null 2>&1 || { echo "Go is missing: install Go 1.26 or newer from your distribution or go.dev, then re-run." >&2; exit 1; }
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)

[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing test dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q "${need[@]}"
else
  echo "Missing test dependencies: ${need[*]}" >&2
  echo "Run:  sudo sh -c '$cmd'" >&2
  exit 1
fi
