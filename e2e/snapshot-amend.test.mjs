// The second commit, end to end in real Chromium with the real host: a popup snapshot of a page
// three screens tall is acknowledged with the visible screenshot, DOM, text and settings; the
// full-page tiles and the MHTML (the optional pageCapture permission granted) follow as an amend of
// the same snapshot id, recorded in the event chain with their hashes; the exported kit verifies
// with all of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { FOLLOWS, grantedCopy, hasMask, waitForAmended } from './lib/amend.mjs';

H.requireTools();
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');

let sb, srv, browser, outDir;
before(async () => {
  sb = H.makeSandbox('snapshot-amend');
  outDir = path.join(sb.dir, 'out');
  mkdirSync(outDir);
  srv = await H.startFixtureServer({ root: ROOT });
  browser = await H.launchChromium({ sandbox: sb, server: srv, extension: grantedCopy(sb, H.DIST_CHROME, ['pageCapture']) });
  await H.extensionWorker(browser);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);
const show = (id) => JSON.parse(cli(['show', id, '--json']));

/** Clicks Snapshot in a fresh popup and waits for the first commit's answer: { popup, ack }. */
async function snapshotFromPopup(page) {
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  const ack = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({
    state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId, following: el.dataset.following,
  })), { timeout: 60_000, interval: 20, message: 'the acknowledgement' });
  return { popup, ack };
}
const names = (m) => m.artifacts.map((a) => a.name).sort();

test('three screens tall: acknowledged with screenshot, DOM, text, settings; tiles and MHTML follow on the same snapshot; the kit verifies', async () => {
  const before = JSON.parse(cli(['list', '--json'])).length;
  const page = await H.openPage(browser, 'https://platform.openai.com/tall');
  const { popup, ack } = await snapshotFromPopup(page);
  // Read at once: the tiles need two more captures at the browser's 2-per-second quota, so the
  // second commit cannot be there yet.
  const first = show(ack.id);
  assert.equal(ack.state, 'done', ack.text);
  assert.equal(ack.following, '1', 'the popup says the full-page screenshots are still being added');
  assert.match(ack.text, /still being added/);
  assert.deepEqual(names(first), ['dom.html', 'screenshot.png', 'settings.json', 'text.txt']);
  const f = first.snapshot ?? first;
  assert.ok(f.notes.fullpage.startsWith(FOLLOWS), f.notes.fullpage);
  assert.ok(f.notes.mhtml.startsWith(FOLLOWS), f.notes.mhtml);

  // The popup then says the snapshot is complete.
  const complete = await H.waitFor(() => popup.$eval('#progress', (el) => !el.dataset.following && el.textContent), { timeout: 60_000, message: 'the popup to say the tiles were added' });
  assert.equal(complete, `Stored as ${ack.id}`);
  await popup.close();
  const done = await waitForAmended(sb, ack.id);
  await page.close();
  assert.deepEqual(names(done), ['dom.html', 'fullpage.png', 'page.mhtml', 'screenshot.png', 'settings.json', 'text.txt']);
  assert.equal(JSON.parse(cli(['list', '--json'])).length, before + 1, 'one snapshot, not two');
  const m = done.snapshot ?? done;
  // N screens, N captures: the visible one is the first frame.
  assert.match(m.notes.fullpage, /^stitched from 3 viewport frames \(2 captures\)/);
  assert.match(m.notes.mhtml, /^taken \d+ ms after the DOM, once the page was restored \(no masks\); saveAsMHTML \d+ ms$/);
  // The first commit's artifacts are untouched by the second.
  for (const a of first.artifacts) assert.deepEqual(done.artifacts.find((b) => b.name === a.name), a);

  const files = {};
  for (const a of done.artifacts) {
    const file = path.join(outDir, `${ack.id}-${a.name}`);
    cli(['show', ack.id, '--artifact', a.name, '--out', file]);
    files[a.name] = readFileSync(file);
    assert.equal(createHash('sha256').update(files[a.name]).digest('hex'), a.sha256, a.name);
  }
  assert.equal(files['fullpage.png'].readUInt32BE(16), 1280);
  assert.equal(files['fullpage.png'].readUInt32BE(20), 2700, 'three 900 px screens');
  assert.match(files['page.mhtml'].toString('latin1'), /^From: <Saved by Blink>/);
  assert.ok(!hasMask(files['page.mhtml']), 'a secret mask in page.mhtml');

  // The chain records the amendment with the added artifacts' hashes.
  const amended = H.events(sb).filter((e) => e.type === 'snapshot.amended' && e.detail?.snapshot_id === ack.id);
  assert.equal(amended.length, 1, JSON.stringify(amended));
  const added = Object.fromEntries(amended[0].detail.artifacts.map((a) => [a.name, a.sha256]));
  assert.deepEqual(added, { 'fullpage.png': done.artifacts.find((a) => a.name === 'fullpage.png').sha256,
    'page.mhtml': done.artifacts.find((a) => a.name === 'page.mhtml').sha256 });

  // The kit carries every artifact and verifies.
  const kit = path.join(sb.dir, 'kit.zip');
  cli(['export', '--out', kit]);
  const verified = H.runCli(sb, ['verify', kit]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /intact/);
  const listing = execFileSync('unzip', ['-Z1', kit], { encoding: 'utf8' }).split('\n');
  for (const n of ['fullpage.png', 'page.mhtml', 'screenshot.png', 'dom.html']) {
    assert.ok(listing.some((l) => l.includes(ack.id) && l.endsWith(`/${n}`)), `kit lacks ${ack.id}/${n}: ${listing.join(' ')}`);
  }
  const events = execFileSync('unzip', ['-p', kit, listing.find((l) => l.endsWith('events.jsonl'))], { encoding: 'utf8' });
  assert.ok(events.includes('"snapshot.amended"') && events.includes(added['page.mhtml']), 'events.jsonl records the amendment');
});

// The host processes of this test's browser (their RINGFENCE_HOME is our sandbox).
function hostPids() {
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`chrome-extension://${H.EXT_ID}/`)) continue;
      if (readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`RINGFENCE_HOME=${sb.data}`)) pids.push(Number(d));
    } catch { /* gone, or not ours */ }
  }
  return pids;
}

test('the host is killed between the two commits: the second goes to a new host, once', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/tall');
  const { popup, ack } = await snapshotFromPopup(page);
  assert.equal(ack.following, '1');
  const pids = hostPids();
  assert.ok(pids.length >= 1, 'no host process found');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const done = await waitForAmended(sb, ack.id);
  await popup.close();
  await page.close();
  assert.deepEqual(names(done), ['dom.html', 'fullpage.png', 'page.mhtml', 'screenshot.png', 'settings.json', 'text.txt']);
  assert.ok(hostPids().every((p) => !pids.includes(p)), 'a new host took the second commit');
  assert.equal(H.events(sb).filter((e) => e.type === 'snapshot.amended' && e.detail?.snapshot_id === ack.id).length, 1);
  const doctor = H.runCli(sb, ['doctor']);
  assert.match(doctor.stdout + doctor.stderr, /hash chain intact/);
});

test('the tab closes before its tiles are taken: the first commit stays, the notes and the chain say what is missing', async () => {
  const page = await H.openPage(browser, 'https://platform.openai.com/long');
  const { popup, ack } = await snapshotFromPopup(page);
  assert.equal(ack.following, '1');
  // As the user would, the tab closed (30 000 px: the tiles take many seconds, so this is well
  // before the last one).
  const worker = await H.extensionWorker(browser);
  await worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ url: 'https://platform.openai.com/long' });
    await chrome.tabs.remove(tab.id);
  });
  const done = await waitForAmended(sb, ack.id);
  await popup.close().catch(() => {}); // the action popup closes with its tab
  assert.deepEqual(names(done), ['dom.html', 'screenshot.png', 'settings.json', 'text.txt']);
  const m = done.snapshot ?? done;
  assert.match(m.notes.fullpage, /^omitted: /);
  assert.match(m.notes.mhtml, /^omitted: /);
  const amended = H.events(sb).filter((e) => e.type === 'snapshot.amended' && e.detail?.snapshot_id === ack.id);
  assert.equal(amended.length, 1);
  assert.deepEqual(amended[0].detail.artifacts, []);
  assert.ok(amended[0].detail.notes.includes('fullpage') && amended[0].detail.notes.includes('mhtml'), JSON.stringify(amended[0].detail));
});
