// `make demo`: the whole product, headless and self-contained. Headless
// Chromium loads the built extension (dist/chrome) and talks to the real host
// (registered inside a temporary profile); stand-in OpenAI pages are served
// over local HTTPS at their real hostnames; the banner shows, snapshots are
// taken through the toolbar popup, an evidence kit is exported and verified.
//
//   node e2e/demo.mjs [--check] [--out DIR]
//
// --check (used by `make test`) asserts every step and exits 1 on any failure;
// without it the demo reports what it did and still exits non-zero if the kit
// could not be made.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const outDir = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(root, 'out', 'demo'));
const bin = path.join(root, 'bin', 'ringfence');
const ext = path.join(root, 'dist', 'chrome');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const fixtures = path.join(root, 'e2e', 'fixtures', 'demo');
const EXT_ID = 'kgjgjjlabbgcnkpjhjigkccigfbappbn';
const HOSTS = ['chatgpt.com', 'platform.openai.com'];

const failures = [];
function step(msg) { console.log(`• ${msg}`); }
function expect(ok, what) {
  if (ok) { console.log(`  ✓ ${what}`); return true; }
  console.log(`  ✗ ${what}`);
  failures.push(what);
  return false;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (const [file, fix] of [[bin, 'run: make host'], [path.join(ext, 'manifest.json'), 'run: make extension'],
  [chromium, 'run: apt-get install -y chromium'], ['/usr/bin/openssl', 'run: apt-get install -y openssl'],
  ['/usr/bin/unzip', 'run: apt-get install -y unzip']]) {
  if (!existsSync(file)) { console.error(`demo: ${file} is missing; ${fix}`); process.exit(1); }
}

const tmp = mkdtempSync(path.join(tmpdir(), 'ringfence-demo-'));
const home = path.join(tmp, 'home');
const data = path.join(tmp, 'data');
const profile = path.join(tmp, 'profile');
mkdirSync(home); mkdirSync(profile);
// The browser hands its environment to the host: everything stays in tmp.
// No session bus, so the host keeps its keys in a 0600 file (doctor says so).
const env = { ...process.env, HOME: home, RINGFENCE_HOME: data, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
const ringfence = (argv) => spawnSync(bin, argv, { env, encoding: 'utf8', timeout: 120_000 });
const snapshots = () => JSON.parse(ringfence(['list', '--json']).stdout || '[]');
const events = () => {
  const r = ringfence(['events', '--json']);
  try { return JSON.parse(r.stdout || '[]'); } catch { return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)); }
};

// Local HTTPS at the real hostnames, with a throwaway certificate.
function serve() {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', '/CN=ringfence-demo', '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem')],
  { stdio: 'ignore' });
  const requests = [];
  const server = https.createServer({ key: readFileSync(path.join(tmp, 'key.pem')), cert: readFileSync(path.join(tmp, 'cert.pem')) }, (req, res) => {
    const host = (req.headers.host || '').replace(/:\d+$/, '');
    const url = new URL(req.url, `https://${host}`);
    requests.push(`${host}${url.pathname}`);
    const rel = url.pathname === '/' ? 'index.html' : `${url.pathname.slice(1).replace(/\/$/, '')}.html`;
    const file = path.join(fixtures, host, rel);
    if (!HOSTS.includes(host) || !file.startsWith(path.join(fixtures, host) + path.sep) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, requests })));
}

async function snapshotViaPopup(browser, page, extension) {
  const before = snapshots().length;
  await page.bringToFront();
  await page.triggerExtensionAction(extension);
  const target = await browser.waitForTarget((t) => t.url().startsWith(`chrome-extension://${EXT_ID}/popup.html`), { timeout: 10_000 });
  const popup = await target.asPage();
  await popup.waitForSelector('#snapshot', { visible: true, timeout: 10_000 });
  await popup.click('#snapshot');
  for (let i = 0; i < 100 && snapshots().length === before; i++) await sleep(200);
  await popup.close().catch(() => {});
  return snapshots().length > before;
}

async function exportViaPopup(browser, page, extension) {
  await page.bringToFront();
  await page.triggerExtensionAction(extension);
  const target = await browser.waitForTarget((t) => t.url().startsWith(`chrome-extension://${EXT_ID}/popup.html`), { timeout: 10_000 });
  const popup = await target.asPage();
  await popup.waitForSelector('#export', { visible: true, timeout: 10_000 });
  await popup.click('#export');
  await popup.waitForSelector('#export-result[data-state]', { timeout: 60_000 });
  const shown = await popup.$eval('#export-result', (el) => ({ state: el.dataset.state, text: el.textContent }));
  await popup.screenshot({ path: path.join(outDir, 'popup-export.png') }).catch(() => {});
  await popup.close().catch(() => {});
  const m = shown.text.match(/(\/\S+\.zip)/);
  return shown.state === 'done' && m ? { path: m[1] } : { error: shown.text };
}

let server;
let browser;
let code = 0;
try {
  mkdirSync(outDir, { recursive: true });
  step(`temporary profile and data dir in ${tmp}`);
  const inst = ringfence(['install', '--browser', 'chromium', '--user-data-dir', profile]);
  expect(inst.status === 0, `ringfence install --browser chromium --user-data-dir … ${inst.status === 0 ? '' : inst.stderr + inst.stdout}`);

  const srv = await serve();
  server = srv.server;
  step(`serving ${HOSTS.join(', ')} over HTTPS on 127.0.0.1:${srv.port}`);
  const rules = HOSTS.map((h) => `MAP ${h}:443 127.0.0.1:${srv.port}`).concat(['MAP * ~NOTFOUND']).join(', ');
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    enableExtensions: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--no-sandbox', '--disable-gpu', `--load-extension=${ext}`, `--disable-extensions-except=${ext}`,
      `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', `--host-resolver-rules=${rules}`, '--ignore-certificate-errors', '--window-size=1280,900'],
    defaultViewport: { width: 1280, height: 800 },
    env,
  });
  await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXT_ID}/`), { timeout: 15_000 });
  const extension = (await browser.extensions()).get(EXT_ID);
  expect(!!extension, `the extension ${EXT_ID} is loaded from dist/chrome`);

  const visits = [
    { url: 'https://chatgpt.com/#settings/Account', banner: true, name: 'chatgpt-account' },
    { url: 'https://chatgpt.com/#settings/DataControls', banner: false, name: 'chatgpt-data-controls' },
    { url: 'https://platform.openai.com/api-keys', banner: true, name: 'platform-api-keys' },
  ];
  const page = await browser.newPage();
  for (const v of visits) {
    step(`visit ${v.url}`);
    await page.goto(v.url, { waitUntil: 'load' });
    if (v.banner) {
      const shown = await page.waitForSelector('ringfence-warning', { timeout: 10_000 }).then(() => true, () => false);
      expect(shown, 'the Ringfence warning banner is shown');
      await sleep(300);
    }
    const png = path.join(outDir, `${v.name}.png`);
    await page.screenshot({ path: png });
    console.log(`  screenshot of the page as the user sees it: ${png}`);
    const ok = await snapshotViaPopup(browser, page, extension).catch((e) => { console.log(`  ${e.message}`); return false; });
    expect(ok, 'a snapshot was taken from the toolbar popup and stored by the host');
  }
  step('export the evidence kit from the browser: popup → "Export evidence kit"');
  const fromPopup = await exportViaPopup(browser, page, extension).catch((e) => ({ error: e.message }));
  expect(!!fromPopup.path, `the host wrote ${fromPopup.path ?? `nothing (${fromPopup.error})`} and the popup shows the path`);
  if (fromPopup.path) {
    const v = ringfence(['verify', fromPopup.path]);
    expect(v.status === 0, `that kit verifies: ${v.stdout.trim()}`);
  }
  await browser.close();
  browser = undefined;

  const snaps = snapshots();
  expect(snaps.length >= visits.length, `${snaps.length} snapshots stored`);
  for (const s of snaps) {
    const names = (s.artifacts || []).map((a) => a.name);
    expect(names.includes('dom.html') && names.some((n) => n.endsWith('.png')), `${s.id} (${s.category}): ${names.join(', ')}`);
  }
  const evs = events();
  expect(evs.some((e) => e.type === 'warning.shown'), `${evs.length} events logged (${[...new Set(evs.map((e) => e.type))].join(', ')}), including warning.shown`);
  for (const e of evs.filter((x) => x.type === 'snapshot.failed')) console.log(`    snapshot.failed: ${JSON.stringify(e.detail)}`);
  const outside = srv.requests.filter((r) => !HOSTS.some((h) => r.startsWith(h)));
  expect(outside.length === 0, 'no request left the local demo hosts');

  if (!snaps.length) throw new Error('no snapshot was stored, so there is nothing to export (is the extension\'s snapshot feature built? make extension)');
  step('export the evidence kit');
  const kit = path.join(outDir, 'ringfence-evidence-demo.zip');
  rmSync(kit, { force: true });
  const ex = ringfence(['export', '--out', kit]);
  expect(ex.status === 0, `ringfence export --out ${kit}`);
  process.stdout.write(ex.stdout.replace(/^/gm, '    '));
  const ver = ringfence(['verify', kit]);
  expect(ver.status === 0, `ringfence verify: ${ver.stdout.trim()}`);
  const wacz = path.join(outDir, 'ringfence-evidence-demo.wacz');
  rmSync(wacz, { force: true });
  const exw = ringfence(['export', '--format', 'wacz', '--out', wacz]);
  const verw = ringfence(['verify', wacz]);
  expect(exw.status === 0 && verw.status === 0, `WACZ export and verify: ${verw.stdout.trim() || exw.stderr}`);

  const unpacked = path.join(outDir, 'kit');
  rmSync(unpacked, { recursive: true, force: true });
  execFileSync('unzip', ['-q', kit, '-d', unpacked]);
  const sums = spawnSync('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: unpacked, encoding: 'utf8' });
  expect(sums.status === 0, 'sha256sum -c SHA256SUMS passes in the unzipped kit');
  const html = readFileSync(path.join(unpacked, 'index.html'), 'utf8');
  expect(snaps.every((s) => html.includes(s.id)) && html.includes('Evidence checklist'), 'index.html lists every snapshot and the checklist');

  console.log(`\nEvidence kit: ${kit}\nOpen the report: ${path.join(unpacked, 'index.html')}\nWACZ: ${wacz}`);
  writeFileSync(path.join(outDir, 'LAST-RUN.txt'), `${new Date().toISOString()}\n${kit}\n${path.join(unpacked, 'index.html')}\n`);
} catch (e) {
  failures.push(e?.message || String(e));
  if (!(e instanceof Error && e.message.startsWith('no snapshot'))) console.error(e);
} finally {
  await browser?.close().catch(() => {});
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`\n${failures.length} step(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  code = 1;
}
if (!check && code === 0) console.log('\nDemo complete.');
process.exit(code);
