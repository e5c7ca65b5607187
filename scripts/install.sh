#!/usr/bin/env bash
# `make install` (after `make build`): register the freshly built host with
# this user's browsers, then say how to load the unpacked extension, which is
# not in the browser stores yet. Extra arguments go to `ringfence install`
# (e.g. scripts/install.sh --browser firefox).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ ! -x bin/ringfence ]; then
  echo "bin/ringfence is missing: run 'make build' first." >&2
  exit 1
fi

# The host copies itself into the data folder and the manifests point there,
# so `make clean` or moving this checkout does not break the browsers.
out=$(bin/ringfence install "$@") || { echo "$out"; exit 1; }
echo "$out"
if ! grep -q '^  registered ' <<<"$out"; then
  cat >&2 <<EOF

make install: no browser was registered, so the extension could not reach the host.
Install a supported browser (Chrome, Chromium, Edge, Brave, Vivaldi, Opera, Firefox,
LibreWolf, Waterfox) and start it once, then run 'make install' again, or name one:
  scripts/install.sh --browser chromium
EOF
  exit 1
fi

cat <<EOF

Next, load the extension (until the store listings exist):

  Chrome, Chromium, Edge, Brave, Vivaldi, Opera:
    open chrome://extensions (edge://extensions, brave://extensions, ...),
    turn on "Developer mode", click "Load unpacked" and choose
      $root/dist/chrome
    Its id is kgjgjjlabbgcnkpjhjigkccigfbappbn, which the host allows.

  Firefox, LibreWolf, Waterfox:
    open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on..."
    and choose
      $root/dist/firefox/manifest.json
    (a temporary add-on lasts until the browser restarts; Firefox ESR and
    Developer Edition can keep it with xpinstall.signatures.required=false).

Then check everything with:
    $root/bin/ringfence doctor
(or just 'ringfence doctor' when ~/.local/bin is on your PATH; see the notes above)
EOF
