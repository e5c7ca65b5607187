// The case workspace in real headless Chromium: the production extension opens the real host's
// dashboard (`ringfence serve`, started detached by the `dashboard.open` native message) from the
// popup; the test walks the timeline, a snapshot, a diff with a planted setting change, a note, an
// .eml import (file picker) and a transcript (drag and drop), a key's dependents, a deletion, and export + verify of a fresh kit, saving
// screenshots under out/dashboard/. Every request the dashboard's pages make is recorded: none may
// leave the dashboard's own loopback origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { waitForAmended } from './lib/amend.mjs';

H.requireTools();
const FIX = path.join(H.ROOT, 'e2e', 'fixtures', 'dashboard');
const OUT = path.join(H.ROOT, 'out', 'dashboard');

let sb, srv, browser, dash, origin;
const requests = [];
before(async () => {
  mkdirSync(OUT, { recursive: true });
  sb = H.makeSandbox('dashboard');
  srv = await H.startFixtureServer({ root: FIX });
  browser = await H.launchChromium({ sandbox: sb, server: srv });
  await H.extensionWorker(browser);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  if (sb) H.stopDashboard(sb);
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);

// Records every request of a dashboard tab (its frames included).
function watch(page) {
  page.on('request', (r) => requests.push(r.url()));
  return page;
}

async function snapshotFromPopup(page) {
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  const state = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({
    state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId,
  })), { timeout: 120_000, message: 'the snapshot to finish' });
  assert.equal(state.state, 'done', state.text);
  await popup.close();
  // The full-page tiles follow the acknowledgement as a second commit of the same snapshot.
  await waitForAmended(sb, state.id, { timeout: 120_000 });
  return state.id;
}

/** Clicks in the popup and returns the dashboard tab it opens. */
async function dashboardFromPopup(page, click) {
  const popup = await H.triggerAction(browser, page);
  const before = new Set(browser.targets());
  await click(popup);
  const target = await browser.waitForTarget((t) => !before.has(t) && t.type() === 'page' && t.url().startsWith('http://127.0.0.1:'), { timeout: 30_000 });
  const tab = watch(await target.asPage());
  await tab.setViewport({ width: 1280, height: 900 });
  await popup.close().catch(() => {});
  await H.waitFor(() => tab.evaluate(() => document.body?.dataset.live === 'open'), { timeout: 15_000, message: 'the live feed to connect' });
  return tab;
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });

let keysId, firstId, secondId;

test('open the dashboard from the popup and see the timeline', async () => {
  const keys = await H.openPage(browser, 'https://platform.openai.com/api-keys');
  keysId = await snapshotFromPopup(keys);
  await keys.close();
  const settings = await H.openPage(browser, 'https://chatgpt.com/data-controls');
  firstId = await snapshotFromPopup(settings);
  // The planted change: the page's own switch goes from On to Off.
  await settings.click('#train');
  await H.waitFor(() => settings.$eval('#train', (el) => el.getAttribute('aria-checked') === 'false'));
  secondId = await snapshotFromPopup(settings);

  dash = await dashboardFromPopup(settings, (popup) => popup.click('#dashboard'));
  origin = new URL(dash.url()).origin;
  assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(!dash.url().includes('token='), `the token left the address bar: ${dash.url()}`);
  for (const id of [keysId, firstId, secondId]) {
    await dash.waitForSelector(`#timeline li[data-id="${id}"]`, { timeout: 10_000 });
  }
  // The cookie that replaced the token is HttpOnly: the page's script cannot read it.
  assert.equal(await dash.evaluate(() => document.cookie), '');
  await shot(dash, 'timeline');
  await settings.close();
});

test('a snapshot taken in the browser appears in the open dashboard within a second', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/api-keys');
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  const id = await H.waitFor(() => popup.$eval('#progress', (el) => el.dataset.state === 'done' && el.dataset.snapshotId), { timeout: 120_000 });
  const acked = Date.now();
  await dash.waitForSelector(`#timeline li[data-id="${id}"]`, { timeout: 1_000 });
  const ms = Date.now() - acked;
  assert.ok(ms <= 1_000, `shown ${ms} ms after the popup had the snapshot id`);
  await popup.close();
  await page.close();
});

test('the snapshot view shows the full-page tiles once their second commit is stored, without a reload', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/api-keys');
  await page.evaluate(() => { document.body.style.minHeight = '4500px'; }); // five screens: the tiles take over 2 s
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  const id = await H.waitFor(() => popup.$eval('#progress', (el) => el.dataset.state === 'done' && el.dataset.snapshotId), { timeout: 120_000 });
  await dash.evaluate((x) => { location.hash = `#snapshot/${x}`; }, id);
  const before = await H.waitFor(() => dash.$$eval('.shots img', (imgs) => imgs.map((i) => i.alt)).then((a) => a.length && a), { message: 'the snapshot view' });
  assert.deepEqual(before, ['screenshot.png'], 'the view opened before the tiles were stored');
  await dash.evaluate(() => { window.rfSameDocument = true; }); // gone if the page were reloaded
  await dash.waitForSelector('.shots img[alt="fullpage.png"]', { timeout: 60_000 });
  assert.equal(await dash.evaluate(() => window.rfSameDocument), true, 'no reload');
  // The view draws its sections one after another: the table may follow the images.
  await dash.waitForFunction(() => [...document.querySelectorAll('table tr td:first-child')].some((td) => td.textContent === 'fullpage.png'),
    { timeout: 10_000 }).catch(() => undefined);
  const rows = await dash.$$eval('table tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.ok(rows.includes('fullpage.png'), `artifacts table: ${rows}`);
  await waitForAmended(sb, id);
  await popup.close();
  await page.close();
  await dash.evaluate(() => { location.hash = '#timeline'; });
});

test('the popup list opens a snapshot in the dashboard: screenshots, sandboxed DOM, settings, artifacts', async () => {
  const page = await H.openPage(browser, 'https://chatgpt.com/data-controls');
  const view = await dashboardFromPopup(page, async (popup) => {
    const btn = await popup.waitForSelector(`#snapshots li[data-id="${secondId}"] button.snapshot-open`, { timeout: 10_000 });
    await btn.click();
  });
  assert.ok(view.url().endsWith(`#snapshot/${secondId}`), view.url());
  await view.waitForSelector('#settings table', { timeout: 10_000 });
  const settingsText = await view.$eval('#settings', (el) => el.textContent);
  assert.ok(settingsText.includes('Improve the model for everyone'), settingsText);
  const frame = await view.$eval('#dom-view', (el) => ({ sandbox: el.getAttribute('sandbox'), src: el.getAttribute('src') }));
  assert.equal(frame.sandbox, '', 'the DOM iframe is fully sandboxed');
  // The sanitized page rendered inside it, with its scripts gone.
  const inner = await H.waitFor(async () => {
    const f = view.frames().find((fr) => fr.url().endsWith('/view'));
    return f && (await f.evaluate(() => document.body?.textContent ?? '').catch(() => ''));
  }, { message: 'the DOM view' });
  assert.ok(inner.includes('Data controls'), inner);
  const shots = await view.$$eval('.shots img', (imgs) => imgs.map((i) => i.naturalWidth));
  assert.ok(shots.length >= 1 && shots.every((w) => w > 0), `screenshots ${shots}`);
  const shas = await view.$$eval('table td .mono', (els) => els.map((e) => e.textContent).filter((t) => /^[0-9a-f]{64}$/.test(t)));
  assert.ok(shas.length >= 3, `artifact hashes: ${shas}`);
  await shot(view, 'snapshot');
  await view.close();
  await page.close();
});

test('diff: the planted setting change On → Off', async () => {
  await dash.goto(`${origin}/#snapshot/${secondId}`);
  await dash.waitForSelector('#diff-prev');
  await dash.click('#diff-prev');
  await dash.waitForSelector('#diff table');
  const rows = await dash.$$eval('#diff table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.ok(rows.some((r) => r[0] === 'Improve the model for everyone' && r[1] === 'On' && r[2] === 'Off'), JSON.stringify(rows));
  assert.ok(!rows.some((r) => r[0] === 'Chat history & training'), 'an unchanged switch is listed as changed');
  const text = await dash.$eval('#diff', (el) => el.textContent);
  assert.ok(text.includes('Model improvement is off.'), 'the text diff shows the changed line');
  await shot(dash, 'diff');
  const out = cli(['diff', firstId, secondId]);
  assert.ok(out.includes('Improve the model for everyone: On → Off'), out);
});

test('a note, an imported .eml (file picker) and a dropped transcript appear on the timeline', async () => {
  await dash.goto(`${origin}/#timeline`);
  await dash.waitForSelector('#note-text');
  await dash.type('#note-text', 'Called support, ticket #88412, appeal due 2026-12-15');
  await dash.click('#note-add');
  await dash.waitForFunction(() => [...document.querySelectorAll('#timeline li[data-kind="note"]')].some((li) => li.textContent.includes('ticket #88412')), { timeout: 5_000 });

  const input = await dash.$('#import-file');
  await input.uploadFile(path.join(FIX, 'appeal.eml'));
  await dash.waitForFunction(() => document.querySelector('#timeline li[data-kind="import"]'), { timeout: 10_000 });
  const result = await dash.$eval('#import-result', (el) => el.textContent);
  assert.ok(result.includes('appeal.eml') && result.includes('Moderation'), result);
  // A transcript dropped on the drop zone: a real drag of a file, through CDP.
  const cdp = await dash.createCDPSession();
  const box = await (await dash.$('#drop')).boundingBox();
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: [path.join(FIX, 'support-chat.txt')], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await dash.waitForFunction(() => document.querySelectorAll('#timeline li[data-kind="import"]').length === 2, { timeout: 10_000 });
  const chat = JSON.parse(cli(['list', '--json'])).find((s) => s.trigger === 'import' && s.url === 'import:support-chat.txt');
  assert.ok(chat, 'the dropped transcript is stored');
  const stored = H.runCli(sb, ['show', chat.id, '--artifact', 'original.txt', '--out', '-']);
  assert.equal(stored.code, 0, stored.stderr);
  assert.ok(stored.stdout.includes('your appeal is under review'), stored.stdout);
  assert.ok(!/sk-proj-Zx9Qw8/.test(stored.stdout), 'the key in the transcript was redacted');

  const imported = JSON.parse(cli(['list', '--json'])).find((s) => s.trigger === 'import' && s.url === 'import:appeal.eml');
  assert.ok(imported, 'the import is stored');
  assert.equal(imported.category, 'moderation');
  assert.equal(imported.title, 'Your account has been deactivated');
  await dash.click(`#timeline li[data-id="${imported.id}"] a`);
  await dash.waitForSelector('#import-info');
  const info = await dash.$eval('#import-info', (el) => el.textContent);
  for (const want of ['noreply@tm.openai.com', 'jane@example.com', 'policy-notice.pdf']) assert.ok(info.includes(want), `${want} in ${info}`);
  const types = H.events(sb).map((e) => e.type);
  assert.ok(types.includes('note.added') && types.includes('import.added'), types.join(','));
  await shot(dash, 'import');
});

test("edit a key's dependents", async () => {
  await dash.goto(`${origin}/#keys`);
  const input = await dash.waitForSelector('input.deps[data-key="sk-proj-...a1B2"]', { timeout: 10_000 });
  await input.click({ clickCount: 3 });
  await input.type('billing-worker, support-bot');
  const row = await input.evaluateHandle((el) => el.closest('tr'));
  await (await row.$('button.save')).click();
  await dash.waitForFunction(() => document.querySelector('#summary').textContent.includes('used by: billing-worker, support-bot'), { timeout: 5_000 });
  const summary = await dash.$eval('#summary', (el) => el.textContent);
  assert.match(summary, /2 key\(s\), used by: billing-worker, support-bot; 2 not rotated/);
  await shot(dash, 'keys');
});

test('delete a snapshot, then export and verify a fresh kit from the dashboard', async () => {
  await dash.goto(`${origin}/#snapshot/${firstId}`);
  await dash.waitForSelector('#delete');
  await dash.click('#delete');
  await dash.click('#delete');
  await dash.waitForFunction(() => location.hash === '#timeline', { timeout: 5_000 });
  await dash.waitForFunction((id) => [...document.querySelectorAll('#timeline li')].some((li) => li.textContent.includes(`deleted ${id}`)), { timeout: 5_000 }, firstId);
  assert.equal(H.runCli(sb, ['show', firstId]).code, 3, 'the deleted snapshot is gone');

  await dash.goto(`${origin}/#kit`);
  await dash.waitForSelector('#export');
  await dash.click('#export');
  const file = await H.waitFor(() => dash.$eval('#export-status', (el) => el.dataset.file), { timeout: 60_000, message: 'the export' });
  const bar = await dash.$eval('#export-progress', (el) => [el.value, el.max]);
  assert.deepEqual(bar, [1, 1], 'the progress bar is full');
  const kit = path.join(sb.data, 'exports', file);
  assert.ok(existsSync(kit), kit);
  const input = await dash.$('#verify-file');
  await input.uploadFile(kit);
  await dash.waitForSelector('#verify-verdict', { timeout: 30_000 });
  const verdict = await dash.$eval('#verify-verdict', (el) => ({ cls: el.className, text: el.textContent }));
  assert.equal(verdict.cls, 'ok', verdict.text);
  const rows = await dash.$$eval('#verify-result tr', (trs) => trs.slice(1).map((tr) => tr.lastChild.textContent));
  assert.ok(rows.length > 5 && rows.every((r) => r === 'ok'), rows.join(','));
  await shot(dash, 'verify');
  const out = cli(['verify', kit]);
  assert.ok(out.startsWith('OK:'), out);
  const events = H.events(sb);
  assert.ok(events.some((e) => e.type === 'snapshot.deleted' && e.detail.snapshot_id === firstId));
});

test('no request of the dashboard left its own loopback origin', () => {
  assert.ok(requests.length > 10, `only ${requests.length} requests recorded`);
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith(`ws://${new URL(origin).host}/`));
  assert.deepEqual(foreign, []);
});
