// Snapshots in real Chromium: the production build (dist/chrome), the real host registered into a
// fresh profile, fixture pages at the real hostnames (e2e/fixtures/snapshot). Each snapshot is read
// back with `ringfence list --json`, `show --json` and `show --artifact`, and the raw database file
// is searched for the planted secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { waitForAmended } from './lib/amend.mjs';

H.requireTools();
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');
const SECRETS = JSON.parse(readFileSync(path.join(ROOT, 'secrets.json'), 'utf8'));

let sb, srv, browser, worker, outDir;
before(async () => {
  sb = H.makeSandbox('snapshot');
  outDir = path.join(sb.dir, 'artifacts');
  mkdirSync(outDir);
  srv = await H.startFixtureServer({ root: ROOT });
  browser = await H.launchChromium({ sandbox: sb, server: srv });
  worker = await H.extensionWorker(browser);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);

function list() {
  return JSON.parse(cli(['list', '--json']));
}

function show(id) {
  return JSON.parse(cli(['show', id, '--json']));
}

/** Writes every artifact with `show --artifact` and checks it against the listed size and hash. */
function artifacts(id) {
  const meta = show(id);
  const out = {};
  for (const a of meta.artifacts) {
    const file = path.join(outDir, `${id}-${a.name}`);
    cli(['show', id, '--artifact', a.name, '--out', file]);
    const bytes = readFileSync(file);
    assert.equal(bytes.length, a.size, `${a.name} size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), a.sha256, `${a.name} sha256`);
    out[a.name] = { ...a, bytes };
  }
  return { meta, files: out };
}

function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function snapshotFromPopup(page, { category, expectProgress = false, expectFollowing = false, listed } = {}) {
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  if (category) await popup.select('#category', category);
  await popup.click('#snapshot');
  if (expectProgress) {
    // A capture that takes longer than a second shows its progress in the popup.
    const shown = await H.waitFor(() => popup.$eval('#progress', (el) => !el.hidden && ['capturing', 'screenshots', 'uploading'].includes(el.dataset.state) && el.textContent),
      { timeout: 10_000, message: 'visible progress' });
    assert.ok(shown);
  }
  const state = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({
    state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId,
  })), { timeout: 120_000, message: 'the snapshot to finish' });
  assert.equal(state.state, 'done', state.text);
  if (expectFollowing) {
    // Stored at the first commit; the popup says the full-page tiles are still being added, then
    // that the snapshot is complete once the second commit is stored.
    assert.match(state.text, /still being added/, state.text);
    const complete = await H.waitFor(() => popup.$eval('#progress', (el) => !el.dataset.following && el.textContent), { timeout: 120_000, message: 'the popup to say the tiles were added' });
    assert.equal(complete, `Stored as ${state.id}`);
  }
  // Tiles and MHTML follow the acknowledgement as a second commit of the same snapshot.
  await waitForAmended(sb, state.id, { timeout: 120_000 });
  // The popup lists it after the capture.
  const li = await H.waitFor(() => popup.$eval(`#snapshots li[data-id="${state.id}"]`, (el) => el.textContent).catch(() => null), { message: 'the snapshot in the popup list' });
  if (listed) for (const part of listed) assert.ok(li.includes(part), `popup list entry "${li}" lacks "${part}"`);
  await popup.close();
  return state.id;
}

test('popup snapshot: all artifacts, hashes, redaction, settings, offline DOM', async () => {
  const url = `https://platform.openai.com/keys#access_token=${SECRETS.PLANT_URLTOKEN}`;
  const page = await H.openPage(browser, url);
  const id = await snapshotFromPopup(page, { listed: ['API keys - OpenAI API', 'API dashboard'] });
  await page.close();

  const listed = list().find((s) => s.id === id);
  assert.ok(listed, 'ringfence list --json has the snapshot');
  const { meta, files } = artifacts(id);
  const names = Object.keys(files).sort();
  assert.deepEqual(names, ['dom.html', 'fullpage.png', 'screenshot.png', 'settings.json', 'text.txt']);
  const byName = Object.fromEntries(meta.artifacts.map((a) => [a.name, a.mime]));
  assert.deepEqual(byName, { 'screenshot.png': 'image/png', 'fullpage.png': 'image/png', 'dom.html': 'text/html', 'text.txt': 'text/plain', 'settings.json': 'application/json' });

  // Metadata (docs/snapshot.md).
  const m = meta.snapshot ?? meta;
  assert.equal(m.trigger, 'button');
  assert.equal(m.category, 'api_dashboard');
  assert.equal(m.category_source, 'auto');
  assert.ok(m.url.startsWith('https://platform.openai.com/keys#access_token=[REDACTED]'), m.url);
  // Milliseconds (the host's JSON may drop trailing zeros: .690 → .69).
  assert.match(m.captured_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
  assert.ok(Math.abs(Date.now() - Date.parse(m.captured_at)) < 120_000, m.captured_at);
  assert.equal(m.browser, 'Chromium');
  assert.match(m.browser_version, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(m.extension_version, '0.1.0');
  assert.deepEqual([m.viewport?.width ?? m.viewport_width, m.viewport?.height ?? m.viewport_height], [1280, 900]);
  assert.equal(m.device_pixel_ratio, 1);
  assert.ok(m.language, 'language');
  const rules = new Set(m.redactions.map((r) => r.rule));
  for (const r of ['openai_key', 'session_token', 'jwt', 'bearer', 'url_credential', 'high_entropy']) assert.ok(rules.has(r), `redaction log has ${r}: ${JSON.stringify(m.redactions)}`);

  // Screenshots: the viewport, and the stitched page (taller than the viewport).
  assert.deepEqual(pngSize(files['screenshot.png'].bytes), { width: 1280, height: 900 });
  assert.match(m.notes.capture, /masked_on_screen=[1-9]/, 'visible secrets are covered before the screenshots');
  // Every capture was checked for its boxes, and every box was in the stored image.
  const checks = (m.notes.masks ?? '').split('; ').map((c) => /^(.*): drawn=(\d+) verified=(\d+) attempts=\d+$/.exec(c));
  assert.ok(checks.length >= 2 && checks.every(Boolean), `notes.masks: ${m.notes.masks}`);
  assert.ok(+checks[0][2] > 0, `boxes in screenshot.png: ${m.notes.masks}`);
  for (const c of checks) assert.equal(c[3], c[2], `${c[1]}: ${c[3]} of ${c[2]} boxes verified`);
  const full = pngSize(files['fullpage.png'].bytes);
  assert.equal(full.width, 1280);
  assert.ok(full.height > 1500 && full.height < 2400, `full page height ${full.height}`);

  // No planted secret anywhere: not in an artifact, not in the database or its WAL.
  const dbFiles = readdirSync(sb.data).filter((f) => f.startsWith('ringfence.db')).map((f) => path.join(sb.data, f));
  assert.ok(dbFiles.length >= 1, 'database file exists');
  const haystacks = [...Object.entries(files).map(([n, f]) => [n, f.bytes]), ...dbFiles.map((f) => [f, readFileSync(f)])];
  for (const [key, secret] of Object.entries(SECRETS)) {
    const probes = key === 'PLANT_SPLIT' ? [secret.slice(0, 24), secret.slice(24)] : [secret.replace(/^(sk-proj-|sk-|sess-)/, '')];
    for (const [name, buf] of haystacks) {
      for (const p of probes) assert.ok(!buf.includes(p), `${key} leaked into ${name}`);
    }
  }
  assert.ok(!files['dom.html'].bytes.includes('hunter2-typed-password'), 'password value dropped');

  // The sanitized DOM keeps form state and both shadow roots, and the frame inline.
  const dom = files['dom.html'].bytes.toString('utf8');
  assert.ok(!/<script/i.test(dom));
  assert.ok(dom.includes('<template shadowrootmode="closed">') && dom.includes('CLOSED-SHADOW-MARKER'));
  assert.ok(dom.includes('<template shadowrootmode="open">'));
  assert.match(dom, /id="notify" type="checkbox" checked=""/);
  assert.match(dom, /<option selected="">gpt-5<\/option>/);
  assert.ok(dom.includes('FRAME-MARKER'), 'same-origin iframe inlined');
  assert.ok(dom.includes('sk-proj-[REDACTED]'));
  assert.match(dom, /<a id="js-link" href="#">/, 'javascript: link with a tab neutralised');
  assert.equal(m.title, 'API keys - OpenAI API', 'title read past <img name="title">');

  // It renders offline: open it and count requests other than the file itself.
  const domFile = path.join(outDir, `${id}-dom.html`);
  const viewer = await browser.newPage();
  const requests = [];
  viewer.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await viewer.goto(`file://${domFile}`, { waitUntil: 'load' });
  const rendered = await viewer.evaluate(() => ({
    text: document.body.innerText,
    open: document.getElementById('open-host')?.shadowRoot?.textContent ?? '',
    frame: document.getElementById('frame')?.getAttribute('srcdoc')?.includes('FRAME-MARKER') ?? false,
    notify: document.getElementById('notify')?.checked,
  }));
  await viewer.close();
  assert.deepEqual(requests, [], 'the sanitized DOM fetched something');
  assert.ok(rendered.text.includes('API keys'));
  assert.ok(rendered.open.includes('Open shadow: usage alerts'), 'declarative shadow DOM rendered');
  assert.equal(rendered.notify, true);
  assert.ok(rendered.frame);

  // Structured settings.
  const settings = JSON.parse(files['settings.json'].bytes.toString('utf8'));
  assert.deepEqual(settings.api_keys, [
    { name: 'prod-backend', prefix: 'sk-...Xq2w', created: 'Mar 3, 2025', last_used: 'Nov 29, 2026', created_by: 'Jane Example', permissions: 'All', project: 'Default project' },
    { name: 'ci-runner', prefix: 'sk-proj-...9fLm', created: 'Jun 12, 2025', last_used: 'Never', created_by: 'Jane Example', permissions: 'Restricted', project: 'Payments' },
  ]);
  const controls = Object.fromEntries(settings.controls.map((c) => [c.label, [c.kind, c.checked ?? c.selected_text]]));
  assert.deepEqual(controls['Email me about usage'], ['checkbox', true]);
  assert.deepEqual(controls['Usage alerts'], ['checkbox', true]);
  assert.deepEqual(controls['Share usage data for training'], ['switch', false]);
  assert.deepEqual(controls['Default model'], ['select', 'gpt-5']);
  assert.equal(settings.account.email, 'jane.example@example.com');
  assert.deepEqual(settings.route, { host: 'platform.openai.com', path: '/keys', hash: '#access_token=[REDACTED]' }, 'URL read past <form name="URL">');
  assert.ok(files['text.txt'].bytes.toString('utf8').includes('Save your key'));
});

test('category override from the popup', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/settings');
  const id = await snapshotFromPopup(page, { category: 'moderation' });
  await page.close();
  const m = show(id);
  const s = m.snapshot ?? m;
  assert.equal(s.category, 'moderation');
  assert.equal(s.category_source, 'user');
  const { files } = artifacts(id);
  // A page that fits the viewport has no separate full-page image.
  assert.deepEqual(Object.keys(files).sort(), ['dom.html', 'screenshot.png', 'settings.json', 'text.txt']);
  const settings = JSON.parse(files['settings.json'].bytes.toString('utf8'));
  assert.equal(settings.account.organization_id, 'org-AbCdEf123456');
  assert.equal(settings.account.sso, 'Enabled (Okta)');
});

async function newSnapshots(before, pred, message) {
  return H.waitFor(() => {
    const fresh = list().filter((s) => !before.has(s.id));
    return pred(fresh) && fresh;
  }, { timeout: 30_000, message });
}

test('banner "Snapshot first": one snapshot, trigger banner, no screenshot without the optional permission', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
  await H.waitForBanner(page, (b) => b?.actions?.includes('snapshot'));
  await H.clickBanner(page, 'snapshot');
  const fresh = await newSnapshots(seen, (f) => f.length >= 1, 'the banner snapshot');
  // The banner says what was left out and points to the shortcut for a full capture.
  const b = await H.waitForBanner(page, (x) => x?.text?.includes('without screenshots'), { message: 'the banner hint' });
  assert.match(b.text, /For a full capture press Alt\+Shift\+S/);
  await new Promise((r) => setTimeout(r, 1000));
  await page.close();
  const after = list().filter((s) => !seen.has(s.id));
  assert.equal(after.length, 1, JSON.stringify(after));
  const m = show(fresh[0].id);
  const s = m.snapshot ?? m;
  assert.equal(s.trigger, 'banner');
  assert.equal(s.category, 'account_status');
  assert.deepEqual(m.artifacts.map((a) => a.name).sort(), ['dom.html', 'settings.json', 'text.txt']);
  assert.match(s.notes.screenshot, /^omitted: the in-page banner trigger grants no screenshot permission/);
  const dom = artifacts(fresh[0].id).files['dom.html'].bytes.toString('utf8');
  assert.ok(dom.includes('delete-account') && !dom.includes('ringfence-warning'), 'the page is captured without our own banner');
});

test('a page cannot hide its own content by posing as Ringfence UI; our real banner stays out', async () => {
  const page = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
  const banner = await H.waitForBanner(page, (b) => b?.actions?.includes('snapshot'));
  const bannerLine = banner.text.split('\n').map((l) => l.trim()).sort((a, b) => b.length - a.length)[0];
  assert.ok(bannerLine.length > 20, banner.text);
  // What a hostile page can do: our attribute and our tag name on its own elements.
  await page.evaluate(() => {
    const a = document.createElement('div');
    a.setAttribute('data-ringfence-ui', 'banner');
    a.textContent = 'hidden-by-attribute evidence';
    const b = document.createElement('ringfence-warning');
    b.textContent = 'hidden-by-tag-name evidence';
    // A named element shadows globals of the same name, also in the extension's world.
    const c = document.createElement('div');
    c.id = '__ringfencePageApi'; // PAGE_API_KEY
    document.body.append(a, b, c);
  });
  const id = await snapshotFromPopup(page);
  assert.ok(await H.readBanner(page), 'the banner was on the page during the capture');
  await page.close();
  const { files } = artifacts(id);
  const text = files['text.txt'].bytes.toString('utf8');
  const dom = files['dom.html'].bytes.toString('utf8');
  for (const [name, body] of [['text.txt', text], ['dom.html', dom]]) {
    assert.ok(body.includes('hidden-by-attribute evidence'), `${name} keeps the page's data-ringfence-ui element`);
    assert.ok(body.includes('hidden-by-tag-name evidence'), `${name} keeps the page's <ringfence-warning> element`);
    assert.ok(!body.includes(bannerLine), `${name} holds our banner ("${bannerLine}")`);
  }
  assert.equal(dom.match(/<ringfence-warning/g)?.length, 1, 'only the page\'s own <ringfence-warning> is in dom.html');
});

test('automatic capture when the destructive confirm dialog opens: one snapshot, trigger auto', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://chatgpt.com/?hl=de#settings/Account');
  await H.waitForBanner(page);
  await page.click('#delete-account');
  const fresh = await newSnapshots(seen, (f) => f.length >= 1, 'the automatic snapshot');
  await new Promise((r) => setTimeout(r, 1500));
  await page.close();
  const after = list().filter((s) => !seen.has(s.id));
  assert.equal(after.length, 1, JSON.stringify(after));
  const m = show(fresh[0].id);
  const s = m.snapshot ?? m;
  assert.equal(s.trigger, 'auto');
  const dom = artifacts(fresh[0].id).files['dom.html'].bytes.toString('utf8');
  assert.ok(dom.includes('confirm-delete-account'), 'the confirm dialog is in the captured DOM');
});

test('automatic capture of the "deleted or deactivated" sign-in error: one snapshot, category moderation', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://auth.openai.com/log-in');
  await H.waitForBanner(page, (b) => b?.rule === 'auth.account-deleted');
  const fresh = await newSnapshots(seen, (f) => f.length >= 1, 'the automatic snapshot of the sign-in error');
  await new Promise((r) => setTimeout(r, 1500));
  await page.close();
  assert.equal(list().filter((s) => !seen.has(s.id)).length, 1);
  const s = show(fresh[0].id);
  const m = s.snapshot ?? s;
  assert.equal(m.trigger, 'auto');
  assert.equal(m.category, 'moderation');
  assert.ok(artifacts(fresh[0].id).files['text.txt'].bytes.toString('utf8').includes('deleted or deactivated'));
});

test('a 30 000 px page: stitched full-page tiles, no error', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/long');
  const id = await snapshotFromPopup(page, { expectFollowing: true });
  await page.close();
  const { meta, files } = artifacts(id);
  const tiles = Object.keys(files).filter((n) => n.startsWith('fullpage')).sort();
  assert.ok(tiles.length >= 3, tiles.join());
  const heights = tiles.map((n) => pngSize(files[n].bytes).height);
  assert.equal(heights.reduce((a, b) => a + b, 0), 30_000, heights.join());
  const s = meta.snapshot ?? meta;
  assert.match(s.notes.fullpage, /stitched from \d+ viewport frames \(\d+ captures\); truncated to the first 30000 of 30\d{3} CSS px/);
  // The page was at the top: the visible screenshot is the first frame, so N screens take N captures
  // in all (the visible one and N - 1 more), not N + 1.
  const [, frames, captures] = /(\d+) viewport frames \((\d+) captures\)/.exec(s.notes.fullpage).map(Number);
  assert.equal(captures, frames - 1, s.notes.fullpage);
});

test('a page with 50 000 elements snapshots without error', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/big');
  const id = await snapshotFromPopup(page);
  await page.close();
  const { meta, files } = artifacts(id);
  const s = meta.snapshot ?? meta;
  assert.match(s.notes.capture, /nodes=5\d{4}/);
  assert.ok(files['dom.html'].bytes.toString('utf8').includes('row 9999'));
  const settings = JSON.parse(files['settings.json'].bytes.toString('utf8'));
  assert.equal(settings.controls.length, 10_000);
  void worker;
});

test('host not installed: the popup says how to install it, keeps the snapshot in memory, and stores it once the host is there', async () => {
  const sb2 = H.makeSandbox('snapshot-nohost');
  const srv2 = await H.startFixtureServer({ root: ROOT });
  const b2 = await H.launchChromium({ sandbox: sb2, server: srv2, register: false });
  try {
    await H.extensionWorker(b2);
    const page = await H.openPage(b2, 'https://platform.openai.com/settings');
    const popup = await H.triggerAction(b2, page);
    await popup.waitForSelector('#snapshot');
    await popup.click('#snapshot');
    const st = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed', 'queued'].includes(el.dataset.state) && ({ state: el.dataset.state, text: el.textContent, hidden: el.hidden })),
      { timeout: 30_000, message: 'the failure' });
    assert.equal(st.state, 'queued', st.text);
    assert.equal(st.hidden, false);
    assert.match(st.text, /not installed.*ringfence install.*ringfence doctor/);
    assert.match(st.text, /kept in memory \(not on disk\).*lost if the browser closes/);
    // The host appears: the queued snapshot is stored, once.
    H.registerHost(sb2);
    const stored = await H.waitFor(() => {
      const r = H.runCli(sb2, ['list', '--json']);
      const l = r.code === 0 ? JSON.parse(r.stdout) : [];
      return l.length ? l : null;
    }, { timeout: 60_000, interval: 1000, message: 'the queued snapshot to be stored' });
    assert.equal(stored.length, 1);
    assert.equal(stored[0].trigger, 'button');
  } finally {
    await b2.close();
    await srv2.close();
    sb2.cleanup();
  }
});

/** Pids of host processes serving this sandbox (the browser passes RINGFENCE_HOME to them). */
function hostPids() {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes(`chrome-extension://${H.EXT_ID}/`)) continue;
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`RINGFENCE_HOME=${sb.data}`)) pids.push(Number(d));
    } catch { /* gone, or not ours */ }
  }
  return pids;
}

test('the host is killed during an upload: the upload restarts and the snapshot is stored once', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://platform.openai.com/heavy');
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  await H.waitFor(() => popup.$eval('#progress', (el) => el.dataset.state === 'uploading'), { timeout: 30_000, interval: 5, message: 'the upload to start' });
  const pids = hostPids();
  assert.ok(pids.length >= 1, 'no host process found');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const st = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({ state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId })),
    { timeout: 60_000, message: 'the snapshot to finish' });
  await popup.close();
  await page.close();
  assert.equal(st.state, 'done', st.text);
  const fresh = list().filter((s) => !seen.has(s.id));
  assert.deepEqual(fresh.map((s) => s.id), [st.id], 'exactly one snapshot, the acknowledged one');
  const { meta, files } = artifacts(st.id);
  assert.equal((meta.snapshot ?? meta).notes.upload_attempt, '2', 'the upload was restarted once');
  assert.ok(files['dom.html'].size > 7_000_000, 'the whole DOM arrived');
  assert.ok(hostPids().every((p) => !pids.includes(p)), 'a new host serves the retry');
});

test('options: masking email addresses is an opt-in that reaches the stored snapshot', async () => {
  const opts = await browser.newPage();
  await opts.goto(`chrome-extension://${H.EXT_ID}/options.html`, { waitUntil: 'load' });
  await opts.waitForSelector('#mask-emails');
  assert.equal(await opts.$eval('#mask-emails', (el) => el.checked), false, 'off by default');
  assert.equal(await opts.$eval('#capture-auto', (el) => el.checked), true, 'automatic capture on by default');
  assert.match(await opts.$eval('#perm-all-urls', (el) => el.textContent), /nothing is ever sent anywhere/);
  await opts.click('#mask-emails');
  await H.waitFor(() => worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.maskEmails === true),
    { message: 'the preference to be saved' });
  try {
    const page = await H.openPage(browser, 'https://platform.openai.com/settings');
    const id = await snapshotFromPopup(page);
    await page.close();
    const { meta, files } = artifacts(id);
    const settings = JSON.parse(files['settings.json'].bytes.toString('utf8'));
    assert.equal(settings.account.email, 'j***@example.com');
    for (const f of Object.values(files)) assert.ok(!f.bytes.includes('jane.example@example.com'), `${f.name} has the address`);
    assert.ok((meta.snapshot ?? meta).redactions.some((r) => r.rule === 'email'));
    // The page shows no secret, only the address: it is covered on screen because the user asked.
    assert.match((meta.snapshot ?? meta).notes.capture, /masked_on_screen=[1-9]/, 'the visible address is covered in the screenshots');
  } finally {
    await opts.click('#mask-emails');
    await opts.close();
  }
});
