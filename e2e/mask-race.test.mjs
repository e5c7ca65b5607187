// Issue #20 in real Chromium: a capture must never race the paint of the secret masks. Twenty
// popup snapshots of a page that keeps the machine busy (CPU-burning workers, a main thread that
// re-lays out every frame); each stored screenshot must show no pixel of any key's own colour, and
// every snapshot must report all its mask boxes verified. (Its own file: node --test's time limit
// applies per file.) Helpers as in masking.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { colourCounts, maskChecks, maskSuite } from './lib/masks.mjs';

H.requireTools();
const S = maskSuite('mask-race');
const { cli, artifact, snapshotFromPopup } = S;

test('20 snapshots in a row on a busy machine: no stored screenshot shows a key, every box verified', async () => {
  const places = ['text', 'input', 'split_div', 'textarea'];
  const page = await H.openPage(S.browser, 'https://platform.openai.com/race.html');
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
