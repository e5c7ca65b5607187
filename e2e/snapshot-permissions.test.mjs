// The optional permissions, granted: the production build with `pageCapture` and `<all_urls>` moved
// into the granted set (a copy of dist/<browser> whose manifest differs only there; the same code
// and extension id). An unpacked extension cannot be granted optional permissions without a prompt,
// which headless browsers cannot answer. Proves the MHTML path (Chromium), screenshots for the
// banner trigger, and Firefox's tabs.captureTab full page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import { grantedCopy, hasMask, waitForAmended } from './lib/amend.mjs';

H.requireTools({ firefox: true });
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');
const SECRETS = JSON.parse(readFileSync(path.join(ROOT, 'secrets.json'), 'utf8'));

function reader(sb, outDir) {
  const cli = (args) => {
    const r = H.runCli(sb, args);
    assert.equal(r.code, 0, `ringfence ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    list: () => JSON.parse(cli(['list', '--json'])),
    read(id) {
      const meta = JSON.parse(cli(['show', id, '--json']));
      const files = {};
      for (const a of meta.artifacts) {
        const file = path.join(outDir, `${id}-${a.name}`);
        cli(['show', id, '--artifact', a.name, '--out', file]);
        const bytes = readFileSync(file);
        assert.equal(createHash('sha256').update(bytes).digest('hex'), a.sha256, a.name);
        assert.equal(a.mime, { png: 'image/png', html: 'text/html', txt: 'text/plain', json: 'application/json', mhtml: 'multipart/related' }[a.name.split('.').pop()]);
        files[a.name] = bytes;
      }
      return { meta: meta.snapshot ?? meta, files };
    },
  };
}

async function freshOne(r, seen, message) {
  return (await H.waitFor(() => { const f = r.list().filter((s) => !seen.has(s.id)); return f.length && f; }, { timeout: 30_000, message }))[0];
}

test('Chromium with pageCapture and <all_urls>: MHTML redacted; banner snapshots get screenshots', async () => {
  const sb = H.makeSandbox('snap-perm');
  const outDir = path.join(sb.dir, 'out');
  mkdirSync(outDir);
  const srv = await H.startFixtureServer({ root: ROOT });
  const browser = await H.launchChromium({ sandbox: sb, server: srv, extension: grantedCopy(sb, H.DIST_CHROME, ['pageCapture']) });
  const r = reader(sb, outDir);
  try {
    await H.extensionWorker(browser);
    const page = await H.openPage(browser, 'https://platform.openai.com/keys');
    const popup = await H.triggerAction(browser, page);
    await popup.waitForSelector('#snapshot');
    await popup.click('#snapshot');
    const done = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && ({ ...el.dataset })), { timeout: 60_000, message: 'snapshot' });
    assert.equal(done.state, 'done');
    await popup.close();
    // The MHTML is the second commit of the snapshot, taken once the page is unmasked.
    await waitForAmended(sb, done.snapshotId);
    await page.close();
    const { meta, files } = r.read(done.snapshotId);
    assert.ok(files['page.mhtml'], `no MHTML: ${JSON.stringify(meta.notes)}`);
    const mhtml = files['page.mhtml'].toString('latin1');
    assert.match(mhtml, /^From: <Saved by Blink>/);
    assert.ok(mhtml.includes('CLOSED-SHADOW-MARKER') || mhtml.includes('API keys'));
    for (const [key, secret] of Object.entries(SECRETS)) {
      const probes = key === 'PLANT_SPLIT' ? [secret.slice(0, 24), secret.slice(24)] : [secret.replace(/^(sk-proj-|sk-|sess-)/, '')];
      for (const p of probes) assert.ok(!mhtml.includes(p), `${key} leaked into page.mhtml`);
    }
    assert.ok(meta.redactions.some((x) => x.artifact === 'page.mhtml'), JSON.stringify(meta.redactions));
    // Taken after the page was restored: none of the masks drawn for the screenshots.
    assert.ok(!hasMask(files['page.mhtml']), 'a secret mask in page.mhtml');
    assert.match(meta.notes.mhtml, /^taken \d+ ms after the DOM/);

    const seen = new Set(r.list().map((s) => s.id));
    const chat = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
    await H.waitForBanner(chat, (b) => b?.actions?.includes('snapshot'));
    await H.clickBanner(chat, 'snapshot');
    const snap = await freshOne(r, seen, 'the banner snapshot');
    await waitForAmended(sb, snap.id);
    await chat.close();
    const b = r.read(snap.id);
    assert.equal(b.meta.trigger, 'banner');
    assert.ok(b.files['screenshot.png'], `no screenshot: ${JSON.stringify(b.meta.notes)}`);
    assert.equal(b.meta.notes.screenshot, undefined);
  } finally {
    await browser.close();
    await srv.close();
    sb.cleanup();
  }
});

test('Firefox with <all_urls>: banner snapshot with screenshot and a captureTab full page', async () => {
  const sb = H.makeSandbox('snap-perm-fx');
  const outDir = path.join(sb.dir, 'out');
  mkdirSync(outDir);
  const srv = await H.startFixtureServer({ root: ROOT });
  const browser = await H.launchFirefox({ sandbox: sb, server: srv, extension: grantedCopy(sb, H.DIST_FIREFOX, []) });
  const r = reader(sb, outDir);
  try {
    const seen = new Set(r.list().map((s) => s.id));
    const chat = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
    await H.waitForBanner(chat, (b) => b?.actions?.includes('snapshot'));
    // Make the document taller than the viewport, so a full-page image is made.
    await chat.evaluate(() => { document.body.style.minHeight = '2600px'; });
    await H.clickBanner(chat, 'snapshot');
    const snap = await freshOne(r, seen, 'the banner snapshot');
    await waitForAmended(sb, snap.id);
    await chat.close();
    const { meta, files } = r.read(snap.id);
    assert.equal(meta.browser, 'Firefox');
    assert.ok(files['screenshot.png'], `no screenshot: ${JSON.stringify(meta.notes)}`);
    assert.ok(files['fullpage.png'], `no full page: ${JSON.stringify(meta.notes)}`);
    assert.match(meta.notes.fullpage, /tabs\.captureTab/);
    const h = files['fullpage.png'].readUInt32BE(20);
    assert.equal(h, 2600, `full page height ${h}`);
    // It came as the second commit of the same snapshot, recorded with its hash.
    const amended = H.events(sb).filter((e) => e.type === 'snapshot.amended' && e.detail?.snapshot_id === snap.id);
    assert.equal(amended.length, 1, JSON.stringify(amended));
    assert.deepEqual(amended[0].detail.artifacts.map((a) => [a.name, a.sha256]),
      [['fullpage.png', createHash('sha256').update(files['fullpage.png']).digest('hex')]]);
  } finally {
    await browser.close();
    await srv.close();
    sb.cleanup();
  }
});
