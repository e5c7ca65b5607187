#!/usr/bin/env bash
# `make bench`: every section measures against a baseline run in the same
# process, prints a table, and rewrites its own section of docs/benchmarks.md
# (between its <!-- NAME-bench:begin/end --> markers). Sections are appended
# below by the parts that own them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- Host: start → hello vs a Go echo host, 2 MB snapshot ack latency,
# ingest vs raw SQLite. Run against a real gnome-keyring on a private
# session bus, as the host meets it on a desktop.
mkdir -p "$tmp/home"
HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" dbus-run-session -- sh -c '
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  i=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
    i=$((i+1)); [ $i -gt 200 ] && { echo "gnome-keyring did not register on the bus" >&2; exit 1; }
    sleep 0.05
  done
  exec go run ./host/internal/bench -bin "$0" -md "$1" -n 40' "$root/bin/ringfence" "$root/docs/benchmarks.md"
