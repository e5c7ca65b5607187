// Shared by the masking suites (masking.test.mjs, mask-race.test.mjs): one Chromium with the
// production build and the real host over the planted-secrets fixtures, and the checks they share.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './harness.mjs';
import { waitForAmended } from './amend.mjs';

export const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');
export const M = JSON.parse(readFileSync(path.join(ROOT, 'masks.json'), 'utf8'));

/** Registers the suite's before/after hooks; the returned object's sb and browser are set once
 * `before` has run. */
export function maskSuite(name) {
  const s = { sb: null, srv: null, browser: null };
  before(async () => {
    s.sb = H.makeSandbox(name);
    s.srv = await H.startFixtureServer({ root: ROOT });
    s.browser = await H.launchChromium({ sandbox: s.sb, server: s.srv });
    await H.extensionWorker(s.browser);
  });
  after(async () => {
    await s.browser?.close();
    await s.srv?.close();
    s.sb?.cleanup();
  });

  s.cli = (args) => {
    const r = H.runCli(s.sb, args);
    assert.equal(r.code, 0, `ringfence ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  s.artifact = (id, artifactName) =>
    execFileSync(H.BIN, ['show', id, '--artifact', artifactName, '--out', '-'], { env: s.sb.env, maxBuffer: 256 << 20 });

  s.snapshotFromPopup = async (page) => {
    const popup = await H.triggerAction(s.browser, page);
    await popup.waitForSelector('#snapshot');
    await popup.click('#snapshot');
    const state = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({
      state: el.dataset.state, text: el.textContent, id: el.dataset.snapshotId,
    })), { timeout: 120_000, message: 'the snapshot to finish' });
    await popup.close();
    assert.equal(state.state, 'done', state.text);
    // The full-page tiles follow the acknowledgement as a second commit of the same snapshot.
    await waitForAmended(s.sb, state.id, { timeout: 120_000 });
    return state.id;
  };
  return s;
}

/** Pixels of each planted colour in a PNG (exact match: glyph cores are painted in the colour). */
export function colourCounts(png, places) {
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
export function maskChecks(notes) {
  assert.ok(notes.masks, `no notes.masks: ${JSON.stringify(notes)}`);
  return notes.masks.split('; ').map((s) => {
    const m = /^(.*): drawn=(\d+) verified=(\d+) attempts=(\d+)$/.exec(s);
    assert.ok(m, `notes.masks entry "${s}"`);
    return { shot: m[1], drawn: +m[2], verified: +m[3], attempts: +m[4] };
  });
}
