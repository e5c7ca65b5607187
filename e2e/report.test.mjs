// The evidence kit's index.html in real headless Chromium (and printed to
// PDF there), and the WACZ read by webrecorder's own code: its zip reader
// (wabac.js's ZipRangeReader, what ReplayWeb.page loads WACZ files with) and
// its WARC library (warcio.js). The kit is made by the real bin/ringfence
// from snapshots ingested over the real native messaging protocol, then
// opened from disk with JavaScript off while every request the page makes
// is recorded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash, webcrypto } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync, statSync, readFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CDXIndexer, WARCParser } from 'warcio';

// wabac.js's service-worker bundle runs under Node once `self` exists.
globalThis.self ??= globalThis;
const { ZipRangeReader } = await import('@webrecorder/wabac/swlib');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ringfence');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const EXT_ORIGIN = 'chrome-extension://kgjgjjlabbgcnkpjhjigkccigfbappbn/';

for (const [file, fix] of [[bin, 'run: make host'], [chromium, 'run: apt-get install -y chromium'], ['/usr/bin/unzip', 'run: apt-get install -y unzip'],
  ['/usr/bin/pdftotext', 'run: apt-get install -y poppler-utils']]) {
  if (!existsSync(file)) throw new Error(`${file} is missing; ${fix}`);
}

let tmp, browser, env;
const ids = [];
before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'ringfence-report-'));
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(tmp, 'profile')}`],
    env: { ...process.env, HOME: path.join(tmp, 'home') },
  });
  await seed();
});
after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// A native-messaging session with the real host, as the browser runs it.
function nativeHost(env) {
  const child = spawn(bin, [EXT_ORIGIN], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
      const n = buf.readUInt32LE(0);
      const msg = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
      buf = buf.subarray(4 + n);
      if (msg.progress) continue;
      waiting.shift()?.(msg);
    }
  });
  let seq = 0;
  return {
    call(type, body) {
      const json = Buffer.from(JSON.stringify({ id: `r${++seq}`, type, body }));
      const head = Buffer.alloc(4);
      head.writeUInt32LE(json.length);
      child.stdin.write(Buffer.concat([head, json]));
      return new Promise((resolve, reject) => {
        waiting.push((m) => (m.ok ? resolve(m.body) : reject(new Error(`${type}: ${m.error.code}: ${m.error.message}`))));
      });
    },
    close() {
      child.stdin.end();
      return new Promise((r) => child.on('exit', r));
    },
  };
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

async function upload(host, meta, files) {
  const artifacts = files.map((f) => ({ name: f.name, mime: f.mime, size: f.data.length, sha256: sha256(f.data) }));
  const { upload_id: id, chunk_size: chunk } = await host.call('snapshot.begin', { meta, artifacts });
  for (const f of files) {
    for (let off = 0; off < f.data.length || off === 0; off += chunk) {
      await host.call('snapshot.chunk', { upload_id: id, artifact: f.name, offset: off, data: f.data.subarray(off, off + chunk).toString('base64') });
      if (f.data.length === 0) break;
    }
  }
  return (await host.call('snapshot.commit', { upload_id: id })).snapshot_id;
}

const pages = [
  { url: 'https://chatgpt.com/#settings/DataControls', title: 'ChatGPT — Data controls', category: 'consent_training',
    body: '<h1>Data controls</h1><label><input type="checkbox"> Improve the model for everyone</label>',
    settings: { controls: [{ label: 'Improve the model for everyone', kind: 'switch', state: false }] } },
  { url: 'https://chatgpt.com/#settings/Account', title: 'ChatGPT — Account', category: 'account_status',
    body: '<h1>Account</h1><p>Email: someone@example.com</p><button>Delete account</button>',
    settings: { fields: [{ label: 'Email', value: 'someone@example.com' }, { label: 'Plan', value: 'Plus' }] } },
  { url: 'https://platform.openai.com/api-keys', title: 'API keys — OpenAI Platform', category: 'api_dashboard',
    body: '<h1>API keys</h1><table><tr><td>prod</td><td>sk-…REDACTED</td></tr></table>',
    settings: { api_keys: [{ name: 'prod', created: '2025-01-02' }] } },
];

// Real screenshots and DOM of stand-in settings pages, stored by the real
// host over native messaging, plus two events: what the tests export.
async function seed() {
  const home = path.join(tmp, 'rf-home');
  env = { ...process.env, RINGFENCE_HOME: home, HOME: path.join(tmp, 'home'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

  // Real screenshots and DOM of stand-in settings pages.
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const host = nativeHost(env);
  await host.call('hello', { extension_version: '0.1.0', browser: 'Chromium' });
  const t0 = Date.parse('2026-11-20T09:00:00.000Z');
  for (const [i, p] of pages.entries()) {
    await page.setContent(`<!doctype html><title>${p.title}</title><body style="font:20px sans-serif;padding:40px;background:hsl(${i * 90},60%,92%)">${p.body}</body>`);
    const shot = Buffer.from(await page.screenshot({ type: 'png' }));
    const dom = Buffer.from(await page.content());
    const meta = { url: p.url, final_url: p.url, title: p.title, captured_at: new Date(t0 + i * 86400000).toISOString(),
      tz_offset_minutes: 60, trigger: 'button', browser: 'Chromium', browser_version: '156', extension_version: '0.1.0',
      viewport: { width: 1280, height: 800 }, device_pixel_ratio: 1, language: 'en-US', category: p.category, category_source: 'auto' };
    ids.push(await upload(host, meta, [
      { name: 'screenshot.png', mime: 'image/png', data: shot },
      { name: 'dom.html', mime: 'text/html', data: dom },
      { name: 'settings.json', mime: 'application/json', data: Buffer.from(JSON.stringify(p.settings)) },
    ]));
  }
  await host.call('event.log', { type: 'warning.shown', rule_id: 'chatgpt.delete-account', url: pages[1].url, at: new Date(t0 + 86400000 + 60000).toISOString(), detail: { label: 'Delete account' } });
  await host.call('event.log', { type: 'guard.cancelled', rule_id: 'chatgpt.delete-account', url: pages[1].url, at: new Date(t0 + 86400000 + 120000).toISOString(), detail: {} });
  await host.close();
  await page.close();

}

test('index.html renders offline in Chromium in plain words, prints to A4 and Letter PDF without broken tokens, and comes in German', async () => {
  // The real export and verify.
  const kit = path.join(tmp, 'kit.zip');
  execFileSync(bin, ['export', '--out', kit], { env });
  const verified = execFileSync(bin, ['verify', kit], { env }).toString();
  assert.match(verified, /^OK: /);
  const fingerprint = verified.match(/signed by (SHA256:[0-9a-f]{64})/)[1];
  const dir = path.join(tmp, 'kit');
  mkdirSync(dir);
  execFileSync('unzip', ['-q', kit, '-d', dir]);

  // Open it from disk with no script, recording every request.
  const report = await browser.newPage();
  await report.setJavaScriptEnabled(false);
  await report.setViewport({ width: 1200, height: 900 });
  const requests = [];
  const failed = [];
  await report.setRequestInterception(true);
  report.on('request', (r) => {
    requests.push(r.url());
    if (r.url().startsWith(pathToFileURL(dir).href + '/')) r.continue();
    else r.abort();
  });
  report.on('requestfailed', (r) => failed.push(r.url()));
  const cdp = await report.createCDPSession();
  const network = [];
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => network.push(e.request.url));
  await report.goto(pathToFileURL(path.join(dir, 'index.html')).href, { waitUntil: 'load' });

  const outDir = path.join(root, 'out', 'e2e');
  mkdirSync(outDir, { recursive: true });
  const png = path.join(outDir, 'report.png');
  await report.screenshot({ path: png, fullPage: true });
  assert.ok(statSync(png).size > 50_000, 'the screenshot of the report is nearly empty');

  const base = pathToFileURL(dir).href + '/';
  const outside = [...requests, ...network].filter((u) => !u.startsWith(base));
  assert.deepEqual(outside, [], 'the report made requests outside the kit');
  assert.deepEqual(failed, [], 'some of the kit\'s own files failed to load');
  assert.ok(requests.some((u) => u.includes('/thumbnails/')), 'no thumbnail was loaded');

  const seen = await report.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    return {
      snapshots: [...document.querySelectorAll('article[data-snapshot-id]')].filter(box).map((a) => a.dataset.snapshotId),
      thumbs: [...document.querySelectorAll('article img')].map((i) => i.naturalWidth),
      checklist: [...document.querySelectorAll('#checklist tr.check')].filter(box).map((r) => [r.dataset.category, r.cells[1].innerText.trim()]),
      timeline: document.querySelector('#timeline').innerText,
      settings: [...document.querySelectorAll('table.settings')].map((t) => t.innerText).join('\n'),
      scripts: document.scripts.length,
      subject: document.querySelector('#subject').innerText,
      limits: document.querySelector('#limits').innerText,
      environment: document.querySelector('#environment').innerText,
      fingerprint: document.querySelector('#fingerprint').innerText,
    };
  });
  assert.deepEqual([...seen.snapshots].sort(), [...ids].sort(), 'every snapshot is shown');
  assert.equal(seen.thumbs.length, 3);
  assert.ok(seen.thumbs.every((w) => w > 0), 'every thumbnail decoded');
  assert.deepEqual(seen.checklist.map(([c]) => c), ['consent_training', 'account_status', 'uploads', 'moderation', 'api_dashboard']);
  const covered = Object.fromEntries(seen.checklist.map(([c, v]) => [c, v.startsWith('Yes')]));
  assert.deepEqual(covered, { consent_training: true, account_status: true, uploads: false, moderation: false, api_dashboard: true });
  assert.match(seen.timeline, /The user chose not to continue/);
  assert.match(seen.timeline, /Delete account \(ChatGPT\)/);
  assert.doesNotMatch(seen.timeline, /chatgpt\.delete-account|guard\.cancelled/, 'internal ids in the timeline');
  assert.match(seen.settings, /Improve the model for everyone\s+Off/);
  assert.match(seen.settings, /Email\s+someone@example\.com/);
  assert.equal(seen.scripts, 0);
  assert.match(seen.subject, /someone@example\.com/, 'the subject account line');
  assert.match(seen.limits, /What this kit shows — and what it cannot show/);
  assert.match(seen.limits, /this computer's clock/);
  assert.match(seen.environment, /Chromium 156/);
  assert.equal(seen.fingerprint, fingerprint);

  // No time, hash or fingerprint breaks across lines: on screen, and printed
  // on A4 and Letter (Chromium's own print layout, page.pdf).
  const brokenTokens = () => report.evaluate(() => [...document.querySelectorAll('.tok')]
    .filter((el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length > 1; })
    .map((el) => el.textContent));
  assert.deepEqual(await brokenTokens(), [], 'tokens wrap on screen');
  await report.emulateMediaType('print');
  for (const [format, width] of [['A4', 718], ['Letter', 740]]) {
    await report.setViewport({ width, height: 1000 }); // the printable width at 96 dpi
    assert.deepEqual(await brokenTokens(), [], `tokens wrap when printed on ${format}`);
    const pdf = Buffer.from(await report.pdf({ format, printBackground: true, preferCSSPageSize: false }));
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.ok(pages >= 2 && pages < 40, `${format}: ${pages} pages`);
    writeFileSync(path.join(outDir, `report-${format}.pdf`), pdf);
  }
  await report.emulateMediaType('screen');

  // The same report in German, chosen with --lang.
  const de = path.join(tmp, 'kit-de.zip');
  execFileSync(bin, ['export', '--lang', 'de', '--with-pdf', '--out', de], { env });
  const deDir = path.join(tmp, 'kit-de');
  mkdirSync(deDir);
  execFileSync('unzip', ['-q', de, '-d', deDir]);
  const deReport = await browser.newPage();
  await deReport.setJavaScriptEnabled(false);
  await deReport.goto(pathToFileURL(path.join(deDir, 'index.html')).href, { waitUntil: 'load' });
  assert.equal(await deReport.evaluate(() => document.documentElement.lang), 'de');
  assert.match(await deReport.evaluate(() => document.querySelector('#limits').innerText), /Was dieses Paket zeigt – und was es nicht zeigen kann/);
  await deReport.close();
  assert.equal(readFileSync(path.join(deDir, 'report.pdf')).subarray(0, 5).toString(), '%PDF-');
  writeFileSync(path.join(outDir, 'report-go-de.pdf'), readFileSync(path.join(deDir, 'report.pdf')));

  // The Go-made PDF (export --format pdf): real text, read back by poppler's
  // pdftotext, with the fingerprint and every file's hash.
  const goPdf = path.join(outDir, 'report-go.pdf');
  execFileSync(bin, ['export', '--format', 'pdf', '--out', goPdf], { env });
  const text = execFileSync('pdftotext', ['-layout', goPdf, '-']).toString();
  assert.ok(text.includes(fingerprint), 'the PDF shows the fingerprint');
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const f of manifest.files.filter((x) => /^snapshots\/[^/]+\/(screenshot\.png|dom\.html|settings\.json)$/.test(x.path))) {
    assert.ok(text.includes(f.sha256), `the PDF shows the hash of ${f.path}`);
  }
  writeFileSync(path.join(outDir, 'report-kit-path.txt'), kit + '\n');
  await report.close();
});

test('the WACZ reads back with webrecorder wabac.js and warcio.js, carries events and fragments, and its signature verifies as wabac.js checks it', async () => {
  const wacz = path.join(tmp, 'kit.wacz');
  const exported = execFileSync(bin, ['export', '--format', 'wacz', '--out', wacz], { env }).toString();
  const fingerprint = exported.match(/signing key (SHA256:[0-9a-f]{64})/)[1];
  const waczVerified = execFileSync(bin, ['verify', wacz], { env }).toString();
  assert.match(waczVerified, /^OK: .* intact WACZ/);
  // One signer for kit and WACZ: the fingerprint export printed, in either form.
  for (const fp of [fingerprint, fingerprint.slice(7).toUpperCase()]) {
    assert.match(execFileSync(bin, ['verify', '--expect-fingerprint', fp, wacz], { env }).toString(), /the signer is the expected key/);
  }

  // webrecorder's zip reader (wabac.js, as ReplayWeb.page loads a WACZ) finds
  // every file, reads datapackage.json and the digest, and random-accesses a
  // WARC record at the offset our index names.
  const fd = await import('node:fs/promises').then((f) => f.open(wacz));
  const size = (await fd.stat()).size;
  const loader = {
    async getLength() { return size; },
    async getRange(offset, length, streaming = false) {
      const b = Buffer.alloc(length);
      await fd.read(b, 0, length, offset);
      const bytes = new Uint8Array(b);
      return streaming ? new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } }) : bytes;
    },
    async getRangeFromEnd(length) { const n = Math.min(length, size); return this.getRange(size - n, n); },
  };
  const zip = new ZipRangeReader(loader);
  const entries = await zip.load();
  const read = async (name) => Buffer.from(await (await zip.loadFile(name, { unzip: true })).reader.readFully());
  const wabacDP = JSON.parse(await read('datapackage.json'));
  for (const r of wabacDP.resources) assert.ok(entries[r.path], `wabac sees ${r.path}`);
  for (const extra of ['ringfence/events.jsonl', 'ringfence/report.html', 'ringfence/checklist.json']) {
    assert.ok(wabacDP.resources.some((r) => r.path === extra), `${extra} listed in datapackage.json`);
  }
  const wabacDigest = JSON.parse(await read('datapackage-digest.json'));
  assert.equal(wabacDigest.hash, `sha256:${sha256(await read('datapackage.json'))}`);
  const firstLine = (await read('indexes/index.cdx')).toString().split('\n')[0];
  const cdx = JSON.parse(firstLine.slice(firstLine.indexOf('{')));
  const { reader } = await zip.loadFile('archive/data.warc.gz', { offset: Number(cdx.offset), length: Number(cdx.length) });
  const rec = await new WARCParser(reader).parse();
  assert.equal(rec.warcTargetURI, cdx.url);
  await fd.close();
  const dir = path.join(tmp, 'wacz');
  mkdirSync(dir);
  execFileSync('unzip', ['-q', wacz, '-d', dir]);
  const warc = path.join(dir, 'archive', 'data.warc.gz');

  // Every record parses; each resource's block matches its digest; the DOM
  // is at the page URL and the screenshot at urn:view:.
  const uris = [];
  for await (const r of WARCParser.iterRecords(createReadStream(warc))) {
    const block = Buffer.from(await r.readFully());
    if (r.warcType === 'resource') {
      assert.equal(r.warcHeader('WARC-Block-Digest'), `sha256:${sha256(block)}`, r.warcTargetURI);
      uris.push(`${r.warcTargetURI} ${r.warcContentType}`);
    }
  }
  for (const p of pages) {
    const page = p.url.replace(/#.*/, '');
    assert.ok(uris.includes(`${page} text/html`), `DOM of ${page}`);
    assert.ok(uris.includes(`urn:view:${page} image/png`), `screenshot of ${page}`);
  }

  // webrecorder's indexer, run on our WARC, writes exactly our index.
  const indexer = new CDXIndexer({ format: 'cdxj' });
  const theirs = [];
  for await (const cdx of indexer.iterIndex([{ filename: 'data.warc.gz', reader: createReadStream(warc) }])) {
    theirs.push(indexer.serializeCDXJ(cdx).trim());
  }
  const ours = readFileSync(path.join(dir, 'indexes', 'index.cdx'), 'utf8').trim().split('\n');
  assert.deepEqual(ours, [...ours].sort(), 'indexes/index.cdx is sorted');
  assert.deepEqual(ours, theirs.sort());

  // pages.jsonl, datapackage.json and the anonymous signature, checked the
  // way wabac.js's verifyWACZSignature does (src/wacz/certutils.ts, not
  // exported by its bundle): WebCrypto ECDSA P-384 / SHA-256 over the hash
  // string, the key imported as SPKI.
  const pl = readFileSync(path.join(dir, 'pages', 'pages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(pl[0].format, 'json-pages-1.0');
  assert.deepEqual(pl.slice(1).map((p) => p.id).sort(), [...ids].sort());
  // Pages keep their fragments, and the two settings tabs have different titles.
  assert.deepEqual(pl.slice(1).map((p) => p.url).sort(), pages.map((p) => p.url).sort());
  assert.equal(new Set(pl.slice(1).map((p) => p.title)).size, pages.length, 'page titles tell the pages apart');
  // The event log travels with the archive and its chain is the one verify checks.
  const events = readFileSync(path.join(dir, 'ringfence', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'snapshot.requested'), ['warning.shown', 'guard.cancelled']);
  assert.equal(Number(waczVerified.match(/(\d+) events/)[1]), events.length);
  const dpBytes = readFileSync(path.join(dir, 'datapackage.json'));
  const dp = JSON.parse(dpBytes);
  assert.equal(dp.wacz_version, '1.1.1');
  for (const r of dp.resources) assert.equal(r.hash, `sha256:${sha256(readFileSync(path.join(dir, r.path)))}`, r.path);
  const digest = JSON.parse(readFileSync(path.join(dir, 'datapackage-digest.json'), 'utf8'));
  assert.equal(digest.hash, `sha256:${sha256(dpBytes)}`);
  const key = await webcrypto.subtle.importKey('spki', Buffer.from(digest.signedData.publicKey, 'base64'),
    { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']);
  const verify = (msg) => webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key,
    Buffer.from(digest.signedData.signature, 'base64'), new TextEncoder().encode(msg));
  assert.equal(await verify(digest.signedData.hash), true);
  assert.equal(await verify(digest.signedData.hash.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), false);
  // The fingerprint is the SHA-256 of that SPKI: the same key as the kit's.
  assert.equal(`SHA256:${sha256(Buffer.from(digest.signedData.publicKey, 'base64'))}`, fingerprint);
});
