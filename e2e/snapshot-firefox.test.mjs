// Snapshots from the same source in real Firefox ESR (dist/firefox over WebDriver BiDi, the real host
// through ~/.mozilla/native-messaging-hosts): the banner's "Snapshot first" and the automatic capture
// of the confirm dialog, read back with the CLI. Closed shadow roots are reached with Firefox's
// element.openOrClosedShadowRoot().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

H.requireTools({ firefox: true });
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');

let sb, srv, browser, outDir;
before(async () => {
  sb = H.makeSandbox('snapshot-fx');
  outDir = path.join(sb.dir, 'artifacts');
  mkdirSync(outDir);
  srv = await H.startFixtureServer({ root: ROOT });
  browser = await H.launchFirefox({ sandbox: sb, server: srv });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);
const list = () => JSON.parse(cli(['list', '--json']));

function read(id) {
  const meta = JSON.parse(cli(['show', id, '--json']));
  const files = {};
  for (const a of meta.artifacts) {
    const file = path.join(outDir, `${id}-${a.name}`);
    cli(['show', id, '--artifact', a.name, '--out', file]);
    const bytes = readFileSync(file);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), a.sha256, a.name);
    files[a.name] = bytes;
  }
  return { meta: meta.snapshot ?? meta, artifacts: meta.artifacts, files };
}

async function fresh(seen, message) {
  return H.waitFor(() => { const f = list().filter((s) => !seen.has(s.id)); return f.length && f; }, { timeout: 30_000, message });
}

test('Firefox: "Snapshot first" in the banner stores one snapshot (no screenshot without <all_urls>)', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
  await H.waitForBanner(page, (b) => b?.actions?.includes('snapshot'));
  await H.clickBanner(page, 'snapshot');
  const [snap] = await fresh(seen, 'the banner snapshot');
  await new Promise((r) => setTimeout(r, 1000));
  await page.close();
  assert.equal(list().filter((s) => !seen.has(s.id)).length, 1);
  const { meta, files } = read(snap.id);
  assert.equal(meta.trigger, 'banner');
  assert.equal(meta.browser, 'Firefox');
  assert.equal(meta.category, 'account_status');
  assert.deepEqual(Object.keys(files).sort(), ['dom.html', 'settings.json', 'text.txt']);
  assert.match(meta.notes.mhtml, /Chromium/);
  const dom = files['dom.html'].toString('utf8');
  assert.ok(!/<script/i.test(dom) && dom.includes('delete-account') && !dom.includes('ringfence-warning'));
  const settings = JSON.parse(files['settings.json'].toString('utf8'));
  assert.equal(settings.route.hash, '#settings/Account');
});

test('Firefox: the confirm dialog triggers one automatic snapshot', async () => {
  const seen = new Set(list().map((s) => s.id));
  const page = await H.openPage(browser, 'https://chatgpt.com/?hl=de#settings/Account');
  await H.waitForBanner(page);
  await page.click('#delete-account');
  const [snap] = await fresh(seen, 'the automatic snapshot');
  await new Promise((r) => setTimeout(r, 1500));
  await page.close();
  assert.equal(list().filter((s) => !seen.has(s.id)).length, 1);
  const { meta, files } = read(snap.id);
  assert.equal(meta.trigger, 'auto');
  assert.ok(files['dom.html'].toString('utf8').includes('confirm-delete-account'));
});
