// Builds dist/chrome and dist/firefox from the one source: bundles the entry points with esbuild,
// merges manifest/base.json with the per-browser overlay, copies pages and _locales, draws icons.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, writeFile, cp, rm } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(root, '..', 'dist');

const entries = {
  background: 'src/background/index.ts',
  content: 'src/content/index.ts',
  popup: 'src/pages/popup/popup.ts',
  options: 'src/pages/options/options.ts',
  // PAGE_SCRIPT in src/shared/page-api.ts: injected by the background with scripting.executeScript.
  'capture-page': 'src/injected/page.ts',
};
const targets = { chrome: ['chrome148'], firefox: ['firefox142'] };

// Overlays replace scalars and arrays and merge objects, so an overlay stays a thin diff.
function merge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object'
      ? merge(base[k], v) : v;
  }
  return out;
}

// A minimal RGBA PNG encoder: the icon is a ring, drawn here so no binary sits in the repo.
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function ringIcon(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const c = (size - 1) / 2, outer = size * 0.46, inner = size * 0.3;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const on = d <= outer && d >= inner;
      raw.set(on ? [0xc2, 0x41, 0x0c, 255] : [0, 0, 0, 0], o);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// The sites' match patterns (spec/sites/*/site.json) are the host permissions and where the content
// script runs: adding a site is a folder in spec/sites, not an edit here. An opt-in site (an identity
// pack, "optional": true) only lists its patterns as optional host permissions: the options page
// asks for one pack's hosts at a time and the background registers its content script.
async function siteMatchPatterns() {
  const sites = path.resolve(root, '..', 'spec', 'sites');
  const required = [];
  const optional = [];
  for (const id of (await readdir(sites)).sort()) {
    const site = JSON.parse(await readFile(path.join(sites, id, 'site.json'), 'utf8'));
    const out = site.optional ? optional : required;
    for (const m of site.match_patterns) if (!out.includes(m)) out.push(m);
  }
  if (!required.length) throw new Error(`ringfence: no match_patterns in ${sites}/*/site.json`);
  return { required, optional };
}

const base = JSON.parse(await readFile(path.join(root, 'manifest/base.json'), 'utf8'));
const { required: matches, optional: packOrigins } = await siteMatchPatterns();
base.host_permissions = matches;
base.content_scripts[0].matches = matches;
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
for (const [browser, target] of Object.entries(targets)) {
  const out = path.join(dist, browser);
  await rm(out, { recursive: true, force: true });
  await mkdir(path.join(out, 'icons'), { recursive: true });
  await build({
    entryPoints: entries, outdir: out, bundle: true, format: 'iife', target,
    minify: false, sourcemap: false, logLevel: 'warning', legalComments: 'none',
    define: { __BROWSER__: JSON.stringify(browser), __VERSION__: JSON.stringify(pkg.version) },
  });
  const overlay = JSON.parse(await readFile(path.join(root, `manifest/${browser}.json`), 'utf8'));
  const manifest = merge(base, overlay);
  manifest.version = pkg.version;
  // The opt-in packs' hosts are optional: the options page asks for one pack's hosts at a time.
  manifest.optional_host_permissions = [...new Set([...(manifest.optional_host_permissions ?? []), ...packOrigins])];
  await writeFile(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const f of ['pages/popup/popup.html', 'pages/popup/popup.css', 'pages/options/options.html', 'pages/options/options.css']) {
    await cp(path.join(root, 'src', f), path.join(out, path.basename(f)));
  }
  await cp(path.join(root, '_locales'), path.join(out, '_locales'), { recursive: true });
  for (const s of [16, 32, 48, 128]) await writeFile(path.join(out, 'icons', `icon${s}.png`), ringIcon(s));
}
