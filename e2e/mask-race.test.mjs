// Issue #20 in real Chromium: a capture must never race the paint of the secret masks. Twenty
// popup snapshots of a page that keeps the machine busy (CPU-burning workers, a main thread that
// re-lays out every frame); each stored screenshot must show no pixel of any key's own colour, and
// every snapshot must report all its mask boxes verified. (Its own file: node --test's time limit
// applies per file.) Helpers as in masking.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

H.requireTools();
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');
const M = JSON.parse(readFileSync(path.join(ROOT, 'masks.json'), 'utf8'));

let sb, srv, browser;
before(async () => {
  sb = H.makeSandbox('mask-race');
  srv = await H.startFixtureServer({ root: ROOT });
  browser = await H.launchChromium({ sandbox: sb, server: srv });
  await H.extensionWorker(browser);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

function cli(args) {
  const r = H.runCli(sb, args);
  assert.equal(r.code, 0, `ringfence ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function artifact(id, name) {
  return execFileSync(H.BIN, ['show', id, '--artifact', name, '--out', '-'], { env: sb.env, maxBuffer: 256 << 20 });
}

async function snapshotFromPopup(page) {
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await popup.click('#snapshot');
  const state = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({
    state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId,
  })), { timeout: 120_000, message: 'the snapshot to finish' });
  await popup.close();
  assert.equal(state.state, 'done', state.text);
  return state.id;
}

/** Pixels of each planted colour in a PNG (exact match: glyph cores are painted in the colour). */
function colourCounts(png, places) {
  const img = H.decodePng(png);
  const want = new Map(places.map((p) => [M.colors[p].join(','), p]));
  const counts = Object.fromEntries(places.map((p) => [p, 0]));
  for (let i = 0; i < img.pixels.length; i += img.channels) {
    const p = want.get(`${img.pixels[i]},${img.pixels[i + 1]},${img.pixels[i + 2]}`);
    if (p) counts[p]++;
  }
  return counts;
}

/** "capture: drawn=N verified=N attempts=N; …" → [{shot, drawn, verified, attempts}] */
function maskChecks(notes) {
  assert.ok(notes.masks, `no notes.masks: ${JSON.stringify(notes)}`);
  return notes.masks.split('; ').map((s) => {
    const m = /^(.*): drawn=(\d+) verified=(\d+) attempts=(\d+)$/.exec(s);
    assert.ok(m, `notes.masks entry "${s}"`);
    return { shot: m[1], drawn: +m[2], verified: +m[3], attempts: +m[4] };
  });
}

test('20 snapshots in a row on a busy machine: no stored screenshot shows a key, every box verified', async () => {
  const places = ['text', 'input', 'split_div', 'textarea'];
  const page = await H.openPage(browser, 'https://platform.openai.com/race.html');
  const baseline = colourCounts(Buffer.from(await page.screenshot({ type: 'png' })), places);
  for (const p of places) assert.ok(baseline[p] > 20, `the fixture does not paint ${p} (${baseline[p]} px)`);
  for (let i = 1; i <= 20; i++) {
    const id = await snapshotFromPopup(page);
    const meta = JSON.parse(cli(['show', id, '--json']));
    const m = meta.snapshot ?? meta;
    const [shot] = maskChecks(m.notes);
    assert.equal(shot.shot, 'screenshot.png');
    assert.ok(shot.drawn >= places.length && shot.verified === shot.drawn, `run ${i}: ${m.notes.masks}`);
    const counts = colourCounts(artifact(id, 'screenshot.png'), places);
    for (const p of places) assert.equal(counts[p], 0, `run ${i}: ${p} readable in screenshot.png (${counts[p]} px)`);
  }
  await page.close();
});
