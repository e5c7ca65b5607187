// The extension makes no network requests of its own (docs/threat-model.md). Real Chromium, the
// production build, the real host. Three independent recorders run while the test drives the main
// flows (a destructive page with the banner, the banner's and the popup's snapshot, the automatic
// capture of the confirm dialog, the options page):
//
// 1. CDP `Network` on every extension context: the service worker, the popup, the options page
//    (sessions attached to existing targets and to every new or changed one). Only
//    chrome-extension://, data: and blob: URLs are allowed.
// 2. The fixture server's request log: only the pages the test opened, and their favicon.
// 3. A sink: every host name that is not a fixture host resolves to a local socket that records
//    each connection (TLS server name or HTTP Host). It sees requests a CDP session could miss,
//    such as a fetch the service worker makes at start-up before a session is attached (to a
//    fixture host, recorder 2 sees those). Chromium's own Google services are left out.
//
// Positive controls prove each recorder can fail: a canary fetch from the worker, the popup and the
// options page must show up in recorders 1 and 2, and one to an outside host in recorder 3; exactly
// those canaries are then left out of the assertions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import * as H from './lib/harness.mjs';

H.requireTools();
const ROOT = path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot');
const EXT_ORIGIN = `chrome-extension://${H.EXT_ID}/`;
const CANARY_HOST = 'sora.com';
const OUTSIDE_HOST = 'outside-canary.example';
const OUTSIDE_CANARY = `https://${OUTSIDE_HOST}/ringfence`;
// Chromium's own services (time, component updates, accounts, autofill) call these even with
// --disable-background-networking. They are the browser's, not ours; a fetch of ours to them would
// still show in the CDP log once a session is attached.
const BROWSER_SERVICES = /(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|googleusercontent\.com)$/;

/** { host, what }: the server name of a TLS ClientHello (SNI), or the Host and request line of
 * plain HTTP. */
function describeConnection(buf) {
  if (buf[0] !== 0x16) {
    const head = buf.toString('latin1').split('\r\n');
    const host = (head.find((l) => /^host:/i.test(l)) ?? '').replace(/^host:\s*/i, '').replace(/:\d+$/, '');
    return { host, what: `http ${head[0]}` };
  }
  try {
    let p = 5 + 4 + 2 + 32; // record header, handshake header, version, random
    p += 1 + buf[p]; // session id
    p += 2 + buf.readUInt16BE(p); // cipher suites
    p += 1 + buf[p]; // compression methods
    const end = p + 2 + buf.readUInt16BE(p);
    p += 2;
    while (p + 4 <= end) {
      const type = buf.readUInt16BE(p);
      const len = buf.readUInt16BE(p + 2);
      if (type === 0) return { host: buf.toString('latin1', p + 9, p + 9 + buf.readUInt16BE(p + 7)), what: 'tls' };
      p += 4 + len;
    }
  } catch { /* a short or odd hello: still a connection */ }
  return { host: '', what: 'tls without a server name' };
}

async function startSink() {
  const seen = [];
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', (buf) => { seen.push(describeConnection(buf)); s.destroy(); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port, seen,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); },
  };
}

let sb, srv, sink, browser, worker;
/** Requests seen by CDP in extension contexts: { context, url }. */
const extRequests = [];
const watched = new Set();
const contexts = new Set();

/** Records the Network events of one extension target (service worker, popup, options, …). */
async function watch(target) {
  if (!target.url().startsWith(EXT_ORIGIN) || watched.has(target)) return;
  watched.add(target);
  const context = `${target.type()} ${target.url().replace(EXT_ORIGIN, '/').replace(/[?#].*/, '')}`;
  try {
    const session = await target.createCDPSession();
    session.on('Network.requestWillBeSent', (e) => extRequests.push({ context, url: e.request.url }));
    await session.send('Network.enable');
    contexts.add(context);
  } catch (e) {
    // A popup closed before the session attached has nothing left to record.
    if (!/closed|detached|No target/i.test(String(e?.message))) throw e;
  }
}

before(async () => {
  sb = H.makeSandbox('no-network');
  srv = await H.startFixtureServer({ root: ROOT });
  sink = await startSink();
  // The fixture hosts go to the fixture server as usual; every other host name goes to the sink.
  // (Chromium keeps the last --host-resolver-rules; the first matching rule wins.)
  const rules = [...H.HOSTNAMES.map((h) => `MAP ${h}:443 127.0.0.1:${srv.port}`), `MAP * 127.0.0.1:${sink.port}`].join(', ');
  browser = await H.launchChromium({ sandbox: sb, server: srv, args: [`--host-resolver-rules=${rules}`] });
  // The worker handle first: a second session attached before it makes puppeteer lose the worker.
  worker = await H.extensionWorker(browser);
  browser.on('targetcreated', (t) => { watch(t).catch(() => {}); });
  browser.on('targetchanged', (t) => { watch(t).catch(() => {}); });
  for (const t of browser.targets()) await watch(t);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  await sink?.close();
  sb?.cleanup();
});

function snapshotIds() {
  const r = H.runCli(sb, ['list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).map((s) => s.id);
}

async function canary(ctx, name) {
  const url = `https://${CANARY_HOST}/canary-${name}`;
  await ctx.evaluate((u) => fetch(u).then(() => 'ok', (e) => String(e)), url);
  return url;
}

test('the extension makes no network requests: worker, popup, options, content script', async () => {
  const canaries = [];
  // Positive control for the worker: its fetch is seen by CDP and by the fixture server.
  canaries.push(await canary(worker, 'worker'));
  await H.waitFor(() => extRequests.some((r) => r.url === canaries[0]), { message: 'the worker canary in the CDP log' });
  await worker.evaluate((u) => fetch(u).catch(() => {}), OUTSIDE_CANARY);
  await H.waitFor(() => sink.seen.some((s) => s.host === OUTSIDE_HOST), { message: 'the outside canary at the sink' });

  // A destructive page: the banner, its "Snapshot first", a popup snapshot, the confirm dialog's
  // automatic capture.
  const page = await H.openPage(browser, 'https://chatgpt.com/#settings/Account');
  await H.waitForBanner(page, (b) => b?.actions?.includes('snapshot'));
  await H.clickBanner(page, 'snapshot');
  await H.waitFor(() => snapshotIds().length === 1, { timeout: 30_000, message: 'the banner snapshot' });

  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  await watch(popup.target());
  canaries.push(await canary(popup, 'popup'));
  await popup.click('#snapshot');
  const state = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && el.dataset.state),
    { timeout: 60_000, message: 'the popup snapshot' });
  assert.equal(state, 'done');
  await popup.close();

  await page.click('#delete-account');
  await H.waitFor(() => snapshotIds().length === 3, { timeout: 30_000, message: 'the automatic capture of the confirm dialog' });
  await page.close();

  // The options page.
  const opts = await browser.newPage();
  await opts.goto(`${EXT_ORIGIN}options.html`, { waitUntil: 'load' });
  await opts.waitForSelector('#mask-emails');
  await watch(opts.target());
  canaries.push(await canary(opts, 'options'));
  await opts.close();
  // Anything the flows queued (events, retries) has time to go out.
  await new Promise((r) => setTimeout(r, 1500));

  // Every extension context was recorded, and every canary was seen: the recorders work.
  for (const c of ['service_worker /background.js', 'page /popup.html', 'page /options.html']) {
    assert.ok([...contexts].some((x) => x.startsWith(c.split(' ')[0]) && x.endsWith(c.split(' ')[1])), `no CDP session on ${c}: ${[...contexts]}`);
  }
  for (const c of canaries) {
    assert.ok(extRequests.some((r) => r.url === c), `canary ${c} missing from the CDP log`);
    assert.ok(srv.requests.includes(c.replace('https://', '')), `canary ${c} missing from the server log`);
  }

  // 1. No request from an extension context except to its own files.
  const own = (u) => u.startsWith(EXT_ORIGIN) || u.startsWith('data:') || u.startsWith('blob:');
  const offending = extRequests.filter((r) => !own(r.url) && !canaries.includes(r.url) && r.url !== OUTSIDE_CANARY);
  assert.deepEqual(offending, [], 'requests made by extension contexts');

  // 2. The fixture server saw the pages the test opened (and the browser's favicon for them), nothing else.
  const allowed = new Set(['chatgpt.com/', 'chatgpt.com/favicon.ico', ...canaries.map((c) => c.replace('https://', ''))]);
  assert.ok(srv.requests.includes('chatgpt.com/'), `the page itself was served: ${srv.requests}`);
  assert.deepEqual(srv.requests.filter((r) => !allowed.has(r)), [], 'unexpected requests at the fixture server');

  // 3. No connection to any other host from anywhere in the browser, but Chromium's own services.
  assert.deepEqual(sink.seen.filter((s) => s.host !== OUTSIDE_HOST && !BROWSER_SERVICES.test(s.host)), [], 'connections to hosts outside the fixtures');
});
