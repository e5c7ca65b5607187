// `make demo`: the whole product, headless and self-contained. Headless
// Chromium loads the built extension (dist/chrome) and talks to the real host
// (registered inside a temporary profile); stand-in OpenAI pages
// (e2e/fixtures/demo) are served over local HTTPS at their real hostnames; the
// banner shows, snapshots are taken through the toolbar popup, an evidence kit
// is exported (from the popup and from the CLI) and verified. Built on the
// shared harness in e2e/lib/harness.mjs.
//
//   node e2e/demo.mjs [--check] [--out DIR]
//
// Every step is checked either way; --check (make test) is the CI mode: a
// terse log and exit status 1 on any failure. Without it the demo also
// explains where to look. Artifacts land in DIR (default out/demo).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, EXT_ID, requireTools, makeSandbox, startFixtureServer, launchChromium, extensionWorker, openPage,
  waitForBanner, triggerAction, runCli, events, waitFor,
} from './lib/harness.mjs';

const args = process.argv.slice(2);
const check = args.includes('--check');
const outDir = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(ROOT, 'out', 'demo'));
const DEMO_SITES = path.join(ROOT, 'e2e', 'fixtures', 'demo');
const DEMO_HOSTS = ['chatgpt.com', 'platform.openai.com'];

const failures = [];
const step = (msg) => console.log(`• ${msg}`);
function expect(ok, what) {
  console.log(`  ${ok ? '✓' : '✗'} ${what}`);
  if (!ok) failures.push(what);
  return ok;
}
const snapshots = (sb) => JSON.parse(runCli(sb, ['list', '--json']).stdout || '[]');

async function snapshotViaPopup(browser, page, sb) {
  const before = snapshots(sb).length;
  await page.bringToFront();
  const popup = await triggerAction(browser, page);
  await popup.waitForSelector('#snapshot', { visible: true, timeout: 10_000 });
  await popup.click('#snapshot');
  const ok = await waitFor(() => snapshots(sb).length > before, { timeout: 30_000, interval: 200, message: 'the snapshot to be stored' })
    .then(() => true, (e) => { console.log(`    ${e.message}`); return false; });
  await popup.close().catch(() => {});
  return ok;
}

async function exportViaPopup(browser, page) {
  await page.bringToFront();
  const popup = await triggerAction(browser, page);
  await popup.waitForSelector('#export', { visible: true, timeout: 10_000 });
  await popup.click('#export');
  await popup.waitForSelector('#export-result[data-state]', { timeout: 120_000 });
  const shown = await popup.$eval('#export-result', (el) => ({ state: el.dataset.state, text: el.textContent }));
  await popup.screenshot({ path: path.join(outDir, 'popup-export.png') }).catch(() => {});
  await popup.close().catch(() => {});
  const m = shown.text.match(/(\/\S+\.zip)/);
  return shown.state === 'done' && m ? { path: m[1] } : { error: shown.text };
}

requireTools();
for (const tool of ['unzip', 'sha256sum']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`demo: ${tool} is missing; run: apt-get install -y ${tool === 'unzip' ? 'unzip' : 'coreutils'}`);
    process.exit(1);
  }
}
const sb = makeSandbox('demo');
let server;
let browser;
try {
  mkdirSync(outDir, { recursive: true });
  step(`temporary profile, HOME and RINGFENCE_HOME in ${sb.dir}`);
  server = await startFixtureServer({ root: DEMO_SITES });
  step(`serving the demo pages for ${DEMO_HOSTS.join(', ')} over HTTPS on 127.0.0.1:${server.port}`);
  browser = await launchChromium({ sandbox: sb, server }); // registers the host in the profile first
  await extensionWorker(browser);
  expect(true, `Chromium runs the extension ${EXT_ID} from dist/chrome; the host is registered in the profile`);

  const visits = [
    { url: 'https://chatgpt.com/#settings/Account', rule: 'chatgpt.delete-account', name: 'chatgpt-account' },
    { url: 'https://chatgpt.com/#settings/DataControls', rule: null, name: 'chatgpt-data-controls' },
    { url: 'https://platform.openai.com/api-keys', rule: 'platform.revoke-key', name: 'platform-api-keys' },
  ];
  const offsite = [];
  for (const v of visits) {
    step(`visit ${v.url}`);
    const page = await openPage(browser, v.url);
    page.on('request', (r) => {
      const u = r.url();
      if (!/^(data:|chrome-extension:|blob:)/.test(u) && !DEMO_HOSTS.some((h) => u.startsWith(`https://${h}/`))) offsite.push(u);
    });
    if (v.rule) {
      const banner = await waitForBanner(page, (b) => b?.rule === v.rule, { timeout: 10_000 }).catch(() => null);
      expect(!!banner, `the warning banner for ${v.rule} is shown${banner?.text ? `: “${banner.text.slice(0, 70)}…”` : ''}`);
    }
    const png = path.join(outDir, `${v.name}.png`);
    // Let the banner's 180 ms entrance animation finish (its animations live in a closed shadow
    // root the page cannot list), so the picture shows what the user reads.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.screenshot({ path: png });
    console.log(`    the page as the user sees it: ${png}`);
    expect(await snapshotViaPopup(browser, page, sb).catch((e) => { console.log(`    ${e.message}`); return false; }),
      'snapshot taken from the toolbar popup and stored by the host');
    v.page = page;
  }

  step('export the evidence kit from the browser: options → export folder, popup → “Export evidence kit”');
  const popupDir = path.join(outDir, 'from-popup');
  rmSync(popupDir, { recursive: true, force: true });
  mkdirSync(popupDir);
  const options = await openPage(browser, `chrome-extension://${EXT_ID}/options.html`);
  await options.waitForSelector('#export-dir');
  await options.type('#export-dir', popupDir);
  await options.$eval('#export-dir', (el) => el.dispatchEvent(new Event('change')));
  await waitFor(() => options.$eval('#saved', (el) => el.textContent), { message: 'the options page to save' });
  await options.close();
  const fromPopup = await exportViaPopup(browser, visits[0].page).catch((e) => ({ error: e.message }));
  expect(!!fromPopup.path && path.dirname(fromPopup.path) === popupDir,
    `the host wrote ${fromPopup.path ?? `nothing (${fromPopup.error})`} and the popup shows the path`);
  if (fromPopup.path) {
    const v = runCli(sb, ['verify', fromPopup.path]);
    expect(v.code === 0, `ringfence verify: ${v.stdout.trim() || v.stderr.trim()}`);
  }
  await browser.close();
  browser = undefined;
  expect(offsite.length === 0, `the pages made no request outside the demo hosts${offsite.length ? `: ${offsite.slice(0, 3).join(', ')}` : ''}`);

  step('what the host stored');
  const snaps = snapshots(sb);
  expect(snaps.length >= visits.length, `${snaps.length} snapshots`);
  for (const s of snaps) {
    const names = (s.artifacts || []).map((a) => a.name);
    expect(names.includes('dom.html') && names.includes('screenshot.png') && names.includes('settings.json'),
      `${s.id} ${s.category}: ${names.join(', ')}`);
  }
  const evs = events(sb);
  expect(evs.some((e) => e.type === 'warning.shown'), `${evs.length} events: ${[...new Set(evs.map((e) => e.type))].join(', ')}`);
  for (const e of evs.filter((x) => x.type === 'snapshot.failed')) console.log(`    snapshot.failed: ${JSON.stringify(e.detail)}`);
  if (!snaps.length) throw new Error('no snapshot was stored, so there is nothing to export');

  step('export the evidence kit with the CLI, and a WACZ');
  const kit = path.join(outDir, 'ringfence-evidence-demo.zip');
  const wacz = path.join(outDir, 'ringfence-evidence-demo.wacz');
  rmSync(kit, { force: true });
  rmSync(wacz, { force: true });
  const ex = runCli(sb, ['export', '--out', kit]);
  expect(ex.code === 0, `ringfence export --out ${kit}${ex.code ? `: ${ex.stderr}` : ''}`);
  const ver = runCli(sb, ['verify', kit]);
  expect(ver.code === 0, `ringfence verify: ${ver.stdout.trim() || ver.stderr.trim()}`);
  const exw = runCli(sb, ['export', '--format', 'wacz', '--out', wacz]);
  const verw = runCli(sb, ['verify', wacz]);
  expect(exw.code === 0 && verw.code === 0, `WACZ: ${verw.stdout.trim() || exw.stderr.trim()}`);

  const unpacked = path.join(outDir, 'kit');
  rmSync(unpacked, { recursive: true, force: true });
  execFileSync('unzip', ['-q', kit, '-d', unpacked]);
  const sums = spawnSync('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: unpacked, encoding: 'utf8' });
  expect(sums.status === 0, `sha256sum -c SHA256SUMS in the unzipped kit: ${sums.stdout.split('\n').filter(Boolean).length} files OK`);
  const html = readFileSync(path.join(unpacked, 'index.html'), 'utf8');
  expect(snaps.every((s) => html.includes(s.id)) && html.includes('Evidence checklist') && !/<script/i.test(html),
    'index.html shows every snapshot and the checklist, with no script');

  console.log(`\nEvidence kit:      ${kit}\nIts report:        ${path.join(unpacked, 'index.html')}\nWeb archive:       ${wacz}`);
  if (!check) console.log(`Screenshots of the pages and the popup: ${outDir}/*.png`);
  writeFileSync(path.join(outDir, 'LAST-RUN.txt'), `${new Date().toISOString()}\n${kit}\n${path.join(unpacked, 'index.html')}\n${wacz}\n`);
} catch (e) {
  failures.push(e?.message || String(e));
  console.log(`  ✗ ${e?.message || e}`);
} finally {
  await browser?.close().catch(() => {});
  await server?.close();
  sb.cleanup();
}
if (failures.length) {
  console.log(`\nmake demo: ${failures.length} step(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(check ? 'make test-demo: every step passed' : '\nDemo complete.');
