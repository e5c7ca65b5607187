#!/usr/bin/env bash
# `make test-dist`: the release files as a user gets them.
#  1. make dist twice (second time into other folders) → byte-identical files;
#  2. sha256sum -c SHA256SUMS; the expected file set; archive contents;
#  3. the .deb: control fields, exact contents (dpkg-deb), no maintainer
#     scripts or conffiles, manifests generated from the installer's table;
#     unpacked into a throwaway root, its binary runs;
#  4. the .xpi passes web-ext lint; the store zip has no dev key and loads in
#     real Chromium;
#  5. as root (CI): dpkg -i for real, a fresh Chromium profile with no per-user
#     registration finds the host through the system-wide manifest (hello),
#     then dpkg -r removes every file it installed (always, via a trap).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
version=${VERSION:?VERSION is not set (make test-dist sets it)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringfence-test-dist.XXXXXX")
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then dpkg -r ringfence >/dev/null || echo "test-dist: dpkg -r ringfence FAILED: remove it by hand" >&2; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
ok() { echo "test-dist: ok: $*"; }

rel=dist/release
# One epoch for both builds, even if a commit lands in between.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1767225600)}
VERSION=$version scripts/dist.sh >/dev/null
# The second build: the extension rebuilt, other output and build folders.
(cd extension && npm run --silent build)
VERSION=$version DIST_OUT="$tmp/release2" DIST_BUILD="$tmp/build2" scripts/dist.sh >/dev/null
(cd "$rel" && ls) >"$tmp/a.list"
(cd "$tmp/release2" && ls) >"$tmp/b.list"
diff -u "$tmp/a.list" "$tmp/b.list" || fail "the two builds wrote different file sets"
differ=$(while read -r f; do cmp -s "$rel/$f" "$tmp/release2/$f" || echo "$f"; done <"$tmp/a.list")
[ -z "$differ" ] || fail "not reproducible: these differ between two builds: $differ"
ok "two builds byte-identical ($(wc -l <"$tmp/a.list") files)"

cat >"$tmp/want.list" <<EOF
SHA256SUMS
ringfence-chrome-$version.zip
ringfence-firefox-$version.xpi
ringfence_${version}_amd64.deb
ringfence_${version}_arm64.deb
ringfence_${version}_darwin_amd64.tar.gz
ringfence_${version}_darwin_arm64.tar.gz
ringfence_${version}_linux_amd64.tar.gz
ringfence_${version}_linux_arm64.tar.gz
ringfence_${version}_windows_amd64.zip
EOF
diff -u "$tmp/want.list" "$tmp/a.list" || fail "dist/release does not hold the expected files"
(cd "$rel" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c"
[ "$(wc -l <"$rel/SHA256SUMS")" = 9 ] || fail "SHA256SUMS does not cover every file"
ok "sha256sum -c SHA256SUMS"

# Host archives: binary, README, LICENSE, INSTALL.txt; the binary is for the
# named OS/arch (file(1)-free: check the ELF/Mach-O/PE magic and machine).
for t in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do
  a="$rel/ringfence_${version}_$t.tar.gz"
  tar -tvzf "$a" >"$tmp/tar.txt"
  for f in ringfence README.md LICENSE INSTALL.txt; do
    grep -q " ringfence_${version}_$t/$f\$" "$tmp/tar.txt" || fail "$a lacks $f"
  done
  grep -q '^-rwxr-xr-x root/root .* ringfence_'"${version}_$t"'/ringfence$' "$tmp/tar.txt" || fail "$a: binary not 0755 root/root: $(cat "$tmp/tar.txt")"
  tar -xzf "$a" -C "$tmp" "ringfence_${version}_$t/ringfence"
done
"$tmp/ringfence_${version}_linux_amd64/ringfence" version | grep -q "^ringfence $version " || fail "the linux/amd64 archive's binary does not run"
unzip -l "$rel/ringfence_${version}_windows_amd64.zip" >"$tmp/zip.txt"
for f in ringfence.exe README.md LICENSE INSTALL.txt; do
  grep -q "ringfence_${version}_windows_amd64/$f\$" "$tmp/zip.txt" || fail "windows zip lacks $f"
done
unzip -p "$rel/ringfence_${version}_windows_amd64.zip" "ringfence_${version}_windows_amd64/ringfence.exe" >"$tmp/ringfence.exe"
[ "$(head -c 2 "$tmp/ringfence.exe")" = MZ ] || fail "windows binary is not a PE file"
unzip -p "$rel/ringfence_${version}_windows_amd64.zip" "ringfence_${version}_windows_amd64/INSTALL.txt" | grep -q 'ringfence.exe install' || fail "windows INSTALL.txt"
ok "host archives (5 targets): binary, README.md, LICENSE, INSTALL.txt"

# The Debian package.
deb="$rel/ringfence_${version}_amd64.deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = ringfence ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = amd64 ] || fail "Architecture: $(field Architecture)"
field Maintainer | grep -q '@' || fail "Maintainer: $(field Maintainer)"
field Description | grep -q 'native messaging host' || fail "Description: $(field Description)"
[ -z "$(field Depends)" ] || fail "a static binary needs no Depends: $(field Depends)"
[ "$(dpkg-deb -f "$rel/ringfence_${version}_arm64.deb" Architecture)" = arm64 ] || fail "arm64 .deb architecture"
dpkg-deb -e "$deb" "$tmp/control"
for s in preinst postinst prerm postrm conffiles; do
  [ ! -e "$tmp/control/$s" ] || fail "the .deb has $s: manifests must not be conffiles (dpkg -r must remove them) and nothing runs at install"
done
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $1, $2, $6}' | sort >"$tmp/deb.files"
cat >"$tmp/deb.want" <<'EOF'
-rw-r--r-- root/root ./etc/chromium/native-messaging-hosts/io.ringfence.host.json
-rw-r--r-- root/root ./etc/opt/chrome/native-messaging-hosts/io.ringfence.host.json
-rw-r--r-- root/root ./etc/opt/edge/native-messaging-hosts/io.ringfence.host.json
-rw-r--r-- root/root ./etc/opt/vivaldi/native-messaging-hosts/io.ringfence.host.json
-rw-r--r-- root/root ./usr/lib/mozilla/native-messaging-hosts/io.ringfence.host.json
-rw-r--r-- root/root ./usr/share/doc/ringfence/README.md
-rw-r--r-- root/root ./usr/share/doc/ringfence/copyright
-rwxr-xr-x root/root ./usr/bin/ringfence
EOF
sort -o "$tmp/deb.want" "$tmp/deb.want"
diff -u "$tmp/deb.want" "$tmp/deb.files" || fail "the .deb's files"
ok ".deb control fields and contents (dpkg-deb)"

# Throwaway root: the manifests the package would install, as the browsers read them.
dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/ringfence" version | grep -q "^ringfence $version " || fail "the packaged binary does not run"
node - "$tmp/root" <<'EOF'
const { readFileSync } = require('node:fs');
const root = process.argv[2];
const chromium = ['etc/chromium', 'etc/opt/chrome', 'etc/opt/edge', 'etc/opt/vivaldi'];
for (const d of [...chromium, 'usr/lib/mozilla']) {
  const m = JSON.parse(readFileSync(`${root}/${d}/native-messaging-hosts/io.ringfence.host.json`, 'utf8'));
  const want = { name: 'io.ringfence.host', path: '/usr/bin/ringfence', type: 'stdio' };
  for (const [k, v] of Object.entries(want)) if (m[k] !== v) throw new Error(`${d}: ${k} is ${m[k]}, want ${v}`);
  if (chromium.includes(d) ? m.allowed_origins?.[0] !== 'chrome-extension://kgjgjjlabbgcnkpjhjigkccigfbappbn/' || m.allowed_extensions
    : m.allowed_extensions?.[0] !== 'ringfence@ringfence.io' || m.allowed_origins) throw new Error(`${d}: allowed ids ${JSON.stringify(m)}`);
}
EOF
ok ".deb unpacked into a throwaway root: binary runs, 5 system-wide manifests point at /usr/bin/ringfence"

# The extension builds.
xpi="$rel/ringfence-firefox-$version.xpi"
mkdir "$tmp/xpi" "$tmp/store"
unzip -q "$xpi" -d "$tmp/xpi"
extension/node_modules/.bin/web-ext lint --source-dir "$tmp/xpi" --self-hosted --warnings-as-errors --output json >"$tmp/lint.json" \
  || { cat "$tmp/lint.json"; fail "web-ext lint on the .xpi"; }
grep -q '"gecko_android"' "$tmp/xpi/manifest.json" && fail ".xpi manifest declares gecko_android"
ok "web-ext lint on the .xpi"
unzip -q "$rel/ringfence-chrome-$version.zip" -d "$tmp/store"
grep -q '"key"' "$tmp/store/manifest.json" && fail "the store zip carries the dev key"
(cd e2e && node dist-checks.mjs store-zip "$tmp/store") || fail "the store zip in Chromium"
ok "the Chrome store zip loads in real Chromium"

# A real install, as root only (it writes /etc and /usr).
if [ "$(id -u)" != 0 ]; then
  echo "test-dist: not root: the real dpkg -i / dpkg -r check runs in CI (as root)"
  ok "all release checks"
  exit 0
fi
if dpkg -s ringfence >/dev/null 2>&1; then
  fail "a ringfence package is already installed on this machine; remove it (dpkg -r ringfence) and re-run"
fi
# Folders that exist now stay; the ones dpkg creates must go with dpkg -r.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#; s#/$##' | grep -v '^$' >"$tmp/paths"
while read -r p; do [ -e "$p" ] && echo "$p"; done <"$tmp/paths" >"$tmp/existed" || true
installed=1
dpkg -i "$deb" >/dev/null
[ "$(command -v ringfence)" = /usr/bin/ringfence ] || fail "ringfence is not on PATH after dpkg -i"
(cd e2e && node dist-checks.mjs system-hello) || fail "Chromium did not reach the host through the system-wide manifest"
dpkg -r ringfence >/dev/null
installed=0
while read -r p; do
  if [ -e "$p" ] && ! grep -qxF "$p" "$tmp/existed"; then fail "dpkg -r left $p"; fi
done <"$tmp/paths"
(cd e2e && node dist-checks.mjs system-gone) || fail "after dpkg -r Chromium still finds a host"
ok "dpkg -i → Chromium hello via /etc/chromium/native-messaging-hosts → dpkg -r removed every file and folder it created"
ok "all release checks"
