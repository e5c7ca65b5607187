// What a screenshot shows, in real Chromium with the production build and the real host
// (issues #13 and #20). Every planted key is painted in a colour of its own
// (fixtures/snapshot/masks.json), so "is the key readable in the stored image" becomes "how many
// pixels of that colour does it have" — checked against a screenshot of the same page without
// Ringfence's masks, which must show every colour. The stored text, the database and its WAL, a kit
// and a WACZ must hold no piece of any key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { M, colourCounts, maskChecks, maskSuite } from './lib/masks.mjs';

H.requireTools();
const S = maskSuite('masking');
const { cli, artifact, snapshotFromPopup } = S;

/** The pieces of a key as the page holds them: any of them (8+ characters) stored is a leak. */
function pieces(place) {
  const body = M.keys[place].slice('sk-proj-'.length);
  const cuts = { split_br: [20], split_td: [14], split_zw: [13, 27], split_shy: [15] }[place] ?? [];
  const out = [];
  let from = 0;
  for (const c of [...cuts, body.length]) { out.push(body.slice(from, c)); from = c; }
  return out.filter((p) => p.length >= 8);
}

function zipContents(file) {
  const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
  return names.map((n) => {
    let b = execFileSync('unzip', ['-p', file, n], { maxBuffer: 256 << 20 });
    if (n.endsWith('.gz')) b = gunzipSync(b);
    return [`${path.basename(file)}:${n}`, b];
  });
}

test('every place a key is painted is masked in the stored screenshots, and no key reaches the db, WAL, kit or WACZ', async () => {
  const q = M.url;
  const url = `https://platform.openai.com/masks.html?client_secret=${q.client_secret}&password=${q.password}&code=${q.code}#access_token=${q.access_token}`;
  const page = await H.openPage(S.browser, url);
  await page.waitForFunction(() => document.getElementById('crossframe')?.contentWindow && document.readyState === 'complete');
  await new Promise((r) => setTimeout(r, 500)); // the frames paint
  // Without masks every colour is on screen: the fixture can show each leak.
  const painted = ['text', 'input', 'placeholder', 'select', 'before', 'after', 'alt', 'sameframe', 'crossframe', 'canvas',
    'split_div', 'split_br', 'split_td', 'split_zw', 'split_shy', 'textarea'];
  const baseline = colourCounts(Buffer.from(await page.screenshot({ type: 'png' })), painted);
  for (const p of painted) assert.ok(baseline[p] > 20, `the fixture does not paint ${p} in its colour (${baseline[p]} px)`);

  const id = await snapshotFromPopup(page);
  await page.close();
  const meta = JSON.parse(cli(['show', id, '--json']));
  const m = meta.snapshot ?? meta;
  const names = meta.artifacts.map((a) => a.name);
  assert.ok(names.includes('screenshot.png') && names.includes('fullpage.png'), `artifacts ${names}`);
  for (const c of maskChecks(m.notes)) {
    assert.equal(c.verified, c.drawn, `${c.shot}: ${c.verified} of ${c.drawn} boxes verified`);
  }
  assert.ok(maskChecks(m.notes)[0].drawn >= painted.length, m.notes.masks);
  for (const shot of ['screenshot.png', 'fullpage.png']) {
    const counts = colourCounts(artifact(id, shot), painted);
    for (const p of painted) assert.equal(counts[p], 0, `${p} readable in ${shot}: ${counts[p]} px of its colour`);
  }

  // No piece of a key, and no URL credential, in any artifact, the database, its WAL, a kit or a WACZ.
  const dir = S.sb.dir;
  cli(['export', '--out', path.join(dir, 'kit.zip')]);
  cli(['export', '--format', 'wacz', '--out', path.join(dir, 'kit.wacz')]);
  const dbFiles = readdirSync(S.sb.data).filter((f) => f.startsWith('ringfence.db')).map((f) => path.join(S.sb.data, f));
  const haystacks = [
    ...names.map((n) => [n, artifact(id, n)]),
    ...dbFiles.map((f) => [path.basename(f), readFileSync(f)]),
    ...zipContents(path.join(dir, 'kit.zip')),
    ...zipContents(path.join(dir, 'kit.wacz')),
    ['list --json', Buffer.from(cli(['list', '--json']))],
    ['events --json', Buffer.from(cli(['events', '--json']))],
  ];
  const probes = [
    ...Object.keys(M.keys).flatMap((p) => pieces(p).map((s) => [p, s])),
    ['lang', M.lang.slice('sk-proj-'.length)],
    ...Object.entries(q).map(([k, v]) => [`url ${k}`, v]),
  ];
  for (const [name, buf] of haystacks) {
    for (const [place, s] of probes) assert.ok(!buf.includes(s), `${place} (${s}) leaked into ${name}`);
  }
  assert.equal(m.notes.page_language.includes('[REDACTED]'), true, `page_language ${m.notes.page_language}`);
});
