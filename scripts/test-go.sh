#!/usr/bin/env bash
# Go tests against real parts: the real SQLite file, a real Secret Service
# (gnome-keyring in a private D-Bus session), the real bin/ringfence.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# A private HOME keeps the keyring and browsers away from the user's own; keep
# Go's caches where they are so nothing is rebuilt.
export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share"
mkdir -p "$HOME"
export RINGFENCE_BIN="$root/bin/ringfence"

# 1. Everything, with a real Secret Service on a private session bus.
export RINGFENCE_TEST_SECRET_SERVICE=1
# Wait until the daemon owns org.freedesktop.secrets: a client asking earlier
# makes D-Bus activate a second, locked daemon.
dbus-run-session -- sh -c '
  echo -n test-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  i=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
    i=$((i+1)); [ $i -gt 200 ] && { echo "gnome-keyring did not register on the bus" >&2; exit 1; }
    sleep 0.05
  done
  exec go test -count=1 ./...'

# 2. The no-keyring path: a session bus that does not exist.
unset RINGFENCE_TEST_SECRET_SERVICE
DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent RINGFENCE_TEST_NO_KEYRING=1 \
  go test -count=1 -run 'NoKeyring|Fallback' ./internal/keys/...
