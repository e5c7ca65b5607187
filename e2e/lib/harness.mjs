// Reusable real-browser harness for Ringfence e2e tests (Chromium and Firefox, the built extension,
// the real bin/ringfence host, fixture pages at the real OpenAI hostnames over local HTTPS).
//
// API (all paths absolute; nothing is downloaded; missing tools fail with the install command):
//
//   requireTools({ firefox })        throws "<tool> is missing; run: <command>" for bin, dist, browsers, openssl
//   const sb = makeSandbox('name')   temp dir with { dir, home, data, profile, env, cleanup() }; env has
//                                    HOME and RINGFENCE_HOME inside it (the browser hands env to the host)
//   const srv = await startFixtureServer({ root })
//                                    HTTPS on 127.0.0.1:<port> with a throwaway self-signed cert made by
//                                    openssl; serves <root>/<Host header>/<path> (`/a/b` → a/b, a/b.html,
//                                    a/b/index.html, then <host>/_fallback.html); also an HTTP proxy port
//                                    (srv.proxyPort) that tunnels CONNECT <any host>:443 to the HTTPS port,
//                                    for Firefox. { port, proxyPort, requests, close() }
//                                    handle(req, res, { host, url }): optional; answers a request itself
//                                    (a redirect, state the test flips) by returning true
//   registerHost(sb, 'chromium'|'firefox')
//                                    `bin/ringfence install --browser chromium --user-data-dir <profile>` or
//                                    `--browser firefox` (HOME inside the sandbox); returns the manifest path
//   const browser = await launchChromium({ sandbox, server, extension = DIST_CHROME, args, register, lang })
//                                    Debian chromium headless with the DESIGN.md flags,
//                                    --host-resolver-rules mapping every OpenAI host to the server,
//                                    --ignore-certificate-errors; the host is registered first (register:false
//                                    to leave it missing); lang: 'de' etc. sets the browser UI language
//   const worker = await extensionWorker(browser)   the MV3 service worker (puppeteer WebWorker)
//   const browser = await launchFirefox({ sandbox, server, extension = DIST_FIREFOX })
//                                    firefox-esr over WebDriver BiDi, extension installed from dist/firefox,
//                                    host manifest in $HOME/.mozilla/native-messaging-hosts, traffic to
//                                    the OpenAI hosts through srv.proxyPort
//   await openPage(browser, url)     new tab at https://<real host>/... ; waits for load
//   await readBanner(page)           what the closed-shadow banner shows, read from outside the page:
//                                    CDP DOM.getDocument({pierce:true}) on Chromium, BiDi serialization
//                                    with includeShadowTree:'all' on Firefox →
//                                    null (no banner element) | { attached, shadowMode ('closed'),
//                                      hostStyle, hostAttrs, rule, level ('control'|'dialog'|'page'),
//                                      severity, role, text, actions: ['snapshot','export','dismiss'],
//                                      guard: null | { rule, role, text, proceedDisabled } }
//   await waitForBanner(page, pred, { timeout })   polls readBanner until pred(banner) is true; resolves
//                                    with the banner, or { absent: true } when pred accepted "no banner"
//   await clickBanner(page, action)  a trusted mouse click on [data-action=<action>] inside the shadow root
//                                    (Chromium: CDP box model + Input events; Firefox: BiDi input.performActions)
//   const popup = await triggerAction(browser, page)   CDP Extensions.triggerAction on the tab target
//                                    (puppeteer's page.triggerExtensionAction); resolves with the popup page
//                                    once popup.js has run (its buttons listen)
//                                    (Chromium; WebDriver BiDi cannot open moz-extension:// pages)
//   EXT_ID, GECKO_ID, FIREFOX_EXT_ORIGIN, HOSTNAMES, ROOT, BIN, DIST_CHROME, DIST_FIREFOX, SITES
//   await contentScriptRan(page)     true when the extension's isolated world exists in the page (Chromium):
//                                    lets a "no banner" assertion prove the content script was there
//   await elementAtBannerCentre(page) tag name the PAGE sees at the centre of the banner card:
//                                    'RINGFENCE-WARNING' means the banner is on top and visible
//   await bannerPixels(page)         screen pixels in the card's box painted in the banner's accent colours
//                                    (a screenshot, decoded here): > 0 only if the banner is really visible
//   runCli(sb, args)                 spawns bin/ringfence with the sandbox env → { code, stdout, stderr }
//   cliOk(sb, args)                  runCli that must exit 0 → stdout (throws with the stderr otherwise)
//   events(sb)                       `ringfence events --json` parsed (JSON Lines) → array
//   waitFor(fn, { timeout, interval, message })   polls until fn() resolves truthy; returns that value
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { inflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'ringfence');
export const DIST_CHROME = path.join(ROOT, 'dist', 'chrome');
export const DIST_FIREFOX = path.join(ROOT, 'dist', 'firefox');
export const SITES = path.join(ROOT, 'e2e', 'fixtures', 'sites');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const EXT_ID = 'kgjgjjlabbgcnkpjhjigkccigfbappbn';
export const GECKO_ID = 'ringfence@ringfence.io';
// Firefox gives each installed extension a random moz-extension:// UUID; the harness pins it (pref
// extensions.webextensions.uuids) so tests know the extension's origin. (WebDriver BiDi refuses to
// navigate a tab to moz-extension:// pages, so the options page and popup are Chromium-only here.)
export const FIREFOX_EXT_UUID = '6f3c1d52-8a1e-4c7b-9b1e-2b7f6a0e5c11';
export const FIREFOX_EXT_ORIGIN = `moz-extension://${FIREFOX_EXT_UUID}`;
export const HOSTNAMES = ['chatgpt.com', 'platform.openai.com', 'privacy.openai.com', 'auth.openai.com', 'sora.com', 'sora.chatgpt.com',
  // The opt-in identity packs' hosts (docs/rules.md "Packs").
  'myaccount.google.com', 'account.microsoft.com', 'account.live.com', 'www.amazon.com', 'www.amazon.de', 'www.amazon.co.jp', 'github.com'];

export function requireTools({ firefox = false } = {}) {
  const need = [
    [BIN, 'run: make host'],
    [path.join(DIST_CHROME, 'manifest.json'), 'run: make extension'],
    [CHROMIUM, 'run: apt-get install -y chromium fonts-liberation'],
    ['/usr/bin/openssl', 'run: apt-get install -y openssl'],
  ];
  if (firefox) need.push([path.join(DIST_FIREFOX, 'manifest.json'), 'run: make extension'], [FIREFOX, 'run: apt-get install -y firefox-esr']);
  for (const [file, fix] of need) if (!existsSync(file)) throw new Error(`${file} is missing; ${fix}`);
}

export function makeSandbox(name = 'e2e') {
  const dir = mkdtempSync(path.join(tmpdir(), `ringfence-${name}-`));
  const home = path.join(dir, 'home');
  const data = path.join(dir, 'data');
  const profile = path.join(dir, 'profile');
  mkdirSync(home);
  mkdirSync(profile);
  // No session bus: the host keeps its keys in a 0600 file inside RINGFENCE_HOME.
  const env = { ...process.env, HOME: home, RINGFENCE_HOME: data, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', XDG_CONFIG_HOME: path.join(home, '.config') };
  return { dir, home, data, profile, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function runCli(sb, args) {
  const r = spawnSync(BIN, args, { env: sb.env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** runCli that must succeed: its stdout, or an error with the command and its stderr. */
export function cliOk(sb, args) {
  const r = runCli(sb, args);
  if (r.code !== 0) throw new Error(`ringfence ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The dashboard outlives the browser by design: stop the one a test started (if any) before the
 * sandbox goes. */
export function stopDashboard(sb) {
  try {
    const rec = JSON.parse(readFileSync(path.join(sb.data, 'dashboard.json'), 'utf8'));
    process.kill(rec.pid, 'SIGTERM');
  } catch { /* none started */ }
}

export function events(sb) {
  const r = runCli(sb, ['events', '--json']);
  if (r.code !== 0) throw new Error(`ringfence events failed (${r.code}): ${r.stderr}`);
  const text = r.stdout.trim();
  if (!text) return [];
  if (text.startsWith('[')) return JSON.parse(text);
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export async function waitFor(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// ---- fixture server ----------------------------------------------------------------------------

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

function resolveFile(root, host, pathname) {
  const base = path.join(root, host);
  if (!host || host.includes('/') || host.startsWith('.') || !existsSync(base)) return null;
  const rel = decodeURIComponent(pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const candidates = rel ? [rel, `${rel}.html`, path.join(rel, 'index.html')] : ['index.html'];
  candidates.push('_fallback.html');
  for (const c of candidates) {
    const file = path.resolve(base, c);
    if (!file.startsWith(base + path.sep)) return null;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}

export async function startFixtureServer({ root = SITES, handle } = {}) {
  const tls = mkdtempSync(path.join(tmpdir(), 'ringfence-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '2', '-subj', '/CN=ringfence-e2e', '-addext', `subjectAltName=${HOSTNAMES.map((h) => `DNS:${h}`).join(',')}`,
    '-keyout', path.join(tls, 'key.pem'), '-out', path.join(tls, 'cert.pem')], { stdio: 'ignore' });
  const requests = [];
  const server = https.createServer({ key: readFileSync(path.join(tls, 'key.pem')), cert: readFileSync(path.join(tls, 'cert.pem')) }, (req, res) => {
    const host = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host}`);
    requests.push(`${host}${url.pathname}`);
    if (handle?.(req, res, { host, url })) return;
    const file = resolveFile(root, host, url.pathname);
    if (!file) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  rmSync(tls, { recursive: true, force: true });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  // A CONNECT-only proxy: every TLS tunnel goes to the fixture server, whatever host was asked for.
  const sockets = new Set();
  const proxy = http.createServer((req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyPort = proxy.address().port;
  return {
    port, proxyPort, requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => proxy.close(r))]);
    },
  };
}

// ---- host registration -------------------------------------------------------------------------

export function registerHost(sb, browser = 'chromium') {
  const args = browser === 'chromium'
    ? ['install', '--browser', 'chromium', '--user-data-dir', sb.profile, '--json']
    : ['install', '--browser', 'firefox', '--json'];
  if (browser === 'firefox') mkdirSync(path.join(sb.home, '.mozilla'), { recursive: true });
  const r = runCli(sb, args);
  if (r.code !== 0) throw new Error(`ringfence ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  const manifest = browser === 'chromium'
    ? path.join(sb.profile, 'NativeMessagingHosts', 'io.ringfence.host.json')
    : path.join(sb.home, '.mozilla', 'native-messaging-hosts', 'io.ringfence.host.json');
  if (!existsSync(manifest)) throw new Error(`install reported success but ${manifest} is missing: ${r.stdout}`);
  return manifest;
}

// ---- browsers ----------------------------------------------------------------------------------

export async function launchChromium({ sandbox, server, extension = DIST_CHROME, args = [], register = true, lang } = {}) {
  if (register) registerHost(sandbox, 'chromium');
  // The UI language (chrome.i18n, so the banner's language) follows --lang and LANGUAGE on Linux.
  const env = lang ? { ...sandbox.env, LANGUAGE: lang, LANG: `${lang}.UTF-8` } : sandbox.env;
  if (lang) args = [`--lang=${lang}`, ...args];
  const rules = HOSTNAMES.map((h) => `MAP ${h}:443 127.0.0.1:${server.port}`).join(', ');
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true, // --headless=new
    pipe: true,
    defaultViewport: { width: 1280, height: 900 },
    enableExtensions: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--no-sandbox', '--disable-gpu', `--load-extension=${extension}`, `--disable-extensions-except=${extension}`,
      `--user-data-dir=${sandbox.profile}`, '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-extension-debugging',
      `--host-resolver-rules=${rules}`, '--ignore-certificate-errors', ...args],
    env,
  });
  browser.ringfenceKind = 'chromium';
  return browser;
}

export async function extensionWorker(browser) {
  const target = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXT_ID}/`), { timeout: 15_000 });
  return target.worker();
}

export async function launchFirefox({ sandbox, server, extension = DIST_FIREFOX, register = true, prefs = {} } = {}) {
  if (register) registerHost(sandbox, 'firefox');
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, env: sandbox.env, acceptInsecureCerts: true,
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: {
      'xpinstall.signatures.required': false,
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': server.proxyPort,
      'network.proxy.no_proxies_on': '',
      'network.proxy.allow_hijacking_localhost': true,
      'extensions.webextensions.restrictedDomains': '',
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_EXT_UUID }),
      ...prefs,
    },
  });
  browser.ringfenceKind = 'firefox';
  await browser.installExtension(extension);
  return browser;
}

export async function openPage(browser, url) {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

// ---- reading and clicking the closed-shadow banner ---------------------------------------------

const HOST_TAG = 'ringfence-warning';

// A tree of { name, attrs, text, children, shadow, backendId } from either protocol.
function fromCdp(n) {
  const attrs = {};
  for (let i = 0; i < (n.attributes?.length ?? 0); i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
  return {
    type: n.nodeType, name: (n.nodeName || '').toLowerCase(), attrs, value: n.nodeValue ?? '', backendId: n.backendNodeId,
    children: (n.children ?? []).map(fromCdp),
    shadow: (n.shadowRoots ?? []).map((s) => ({ mode: s.shadowRootType, node: fromCdp(s) }))[0] ?? null,
  };
}

function fromBidi(v) {
  const n = v?.value ?? {};
  const attrs = n.attributes ?? {};
  return {
    type: n.nodeType, name: (n.localName || n.nodeName || '').toLowerCase(), attrs, value: n.nodeValue ?? '', sharedId: v?.sharedId,
    children: (n.children ?? []).map(fromBidi),
    shadow: n.shadowRoot ? { mode: n.shadowRoot.value?.mode, node: fromBidi(n.shadowRoot) } : null,
  };
}

function textOf(n) {
  if (n.type === 3) return n.value;
  if (n.name === 'style' || n.name === 'script') return '';
  const inner = n.children.map(textOf).join('');
  return ['p', 'li', 'h2', 'div', 'section', 'ul', 'button', 'a'].includes(n.name) ? ` ${inner} ` : inner;
}

function find(n, pred) {
  if (pred(n)) return n;
  for (const c of n.children) { const f = find(c, pred); if (f) return f; }
  if (n.shadow) return find(n.shadow.node, pred);
  return null;
}

function findAll(n, pred, out = []) {
  if (pred(n)) out.push(n);
  for (const c of n.children) findAll(c, pred, out);
  if (n.shadow) findAll(n.shadow.node, pred, out);
  return out;
}

async function bannerTree(page) {
  if (page.browser().ringfenceKind === 'firefox') {
    const conn = page.browser().connection;
    const res = await conn.send('script.evaluate', {
      expression: `document.documentElement.querySelector(':scope > ${HOST_TAG}')`, awaitPromise: false,
      target: { context: page.mainFrame()._id },
      serializationOptions: { maxDomDepth: 30, includeShadowTree: 'all' },
    });
    const v = res.result.result;
    return v?.type === 'node' ? { host: fromBidi(v), attached: true } : null;
  }
  const cdp = await page.createCDPSession();
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const doc = fromCdp(root);
    const html = doc.children.find((c) => c.type === 1 && c.name === 'html');
    const host = html?.children.find((c) => c.name === HOST_TAG);
    return host ? { host, attached: true, cdpRoot: root } : null;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export async function readBanner(page) {
  const t = await bannerTree(page);
  if (!t) return null;
  const shadow = t.host.shadow;
  if (!shadow) return { attached: true, shadowMode: null, hostStyle: t.host.attrs.style ?? '' };
  const card = find(shadow.node, (n) => n.name === 'section' && n.attrs.class?.split(' ').includes('card'));
  const guardBox = find(shadow.node, (n) => n.attrs.class === 'guard-box');
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  return {
    attached: true,
    shadowMode: shadow.mode,
    hostStyle: t.host.attrs.style ?? '',
    hostAttrs: Object.keys(t.host.attrs).sort(),
    rule: card?.attrs['data-rule'] ?? null,
    level: card?.attrs['data-level'] ?? null,
    severity: card?.attrs['data-severity'] ?? null,
    role: card?.attrs.role ?? null,
    text: card ? norm(textOf(card)) : '',
    actions: card ? findAll(card, (n) => n.attrs['data-action']).map((n) => n.attrs['data-action']) : [],
    guard: guardBox ? {
      rule: guardBox.attrs['data-rule'], role: guardBox.attrs.role, text: norm(textOf(guardBox)),
      proceedDisabled: 'disabled' in (find(guardBox, (n) => n.attrs['data-action'] === 'proceed')?.attrs ?? {}),
    } : null,
  };
}

export async function waitForBanner(page, pred = (b) => b?.rule, { timeout = 10_000, message = 'the banner' } = {}) {
  return waitFor(async () => {
    const b = await readBanner(page);
    return pred(b) ? b ?? { absent: true } : false;
  }, { timeout, message });
}

export async function clickBanner(page, action) {
  if (page.browser().ringfenceKind === 'firefox') {
    const t = await bannerTree(page);
    const target = t?.host.shadow && find(t.host.shadow.node, (n) => n.attrs['data-action'] === action);
    if (!target?.sharedId) throw new Error(`no banner element with data-action=${action}`);
    // A WebDriver BiDi pointer sequence at the element's centre: a trusted click, as a user's.
    await page.browser().connection.send('input.performActions', {
      context: page.mainFrame()._id,
      actions: [{ type: 'pointer', id: 'rf-mouse', parameters: { pointerType: 'mouse' }, actions: [
        { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId: target.sharedId } } },
        { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }],
    });
    return;
  }
  const cdp = await page.createCDPSession();
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const tree = fromCdp(root);
    const host = find(tree, (n) => n.name === HOST_TAG);
    const target = host && find(host.shadow.node, (n) => n.attrs['data-action'] === action);
    if (!target) throw new Error(`no banner element with data-action=${action}`);
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: target.backendId });
    const q = model.content;
    const x = (q[0] + q[2] + q[4] + q[6]) / 4;
    const y = (q[1] + q[3] + q[5] + q[7]) / 4;
    await page.mouse.click(x, y);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export async function contentScriptRan(page) {
  const cdp = await page.createCDPSession();
  const worlds = [];
  cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
  try {
    await cdp.send('Runtime.enable');
    await new Promise((r) => setTimeout(r, 100));
    return worlds.some((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${EXT_ID}`)
      || worlds.some((c) => c.auxData?.type === 'isolated' && c.name === 'Ringfence');
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export async function elementAtBannerCentre(page) {
  if (page.browser().ringfenceKind === 'firefox') {
    const t = await bannerTree(page);
    const card = t?.host.shadow && find(t.host.shadow.node, (n) => n.name === 'section' && n.attrs.class?.includes('card'));
    if (!card?.sharedId) return null;
    // The node reference is a test-tool privilege (like CDP's): the page itself cannot get it.
    const res = await page.browser().connection.send('script.callFunction', {
      functionDeclaration: '(el) => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return [hit ? hit.tagName : null, r.width, r.height, r.left, r.top]; }',
      arguments: [{ sharedId: card.sharedId }], awaitPromise: false, target: { context: page.mainFrame()._id },
    });
    const [tag, width, height, x, y] = res.result.result.value.map((v) => v.value);
    return { tag, width, height, x, y };
  }
  const cdp = await page.createCDPSession();
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = find(fromCdp(root), (n) => n.name === HOST_TAG);
    const card = host?.shadow && find(host.shadow.node, (n) => n.name === 'section' && n.attrs.class?.includes('card'));
    if (!card) return null;
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: card.backendId });
    const q = model.border;
    const x = (q[0] + q[4]) / 2;
    const y = (q[1] + q[5]) / 2;
    return { tag: await page.evaluate((px, py) => document.elementFromPoint(px, py)?.tagName ?? null, x, y),
      width: model.width, height: model.height, x: q[0], y: q[1] };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// A minimal PNG decoder (8-bit RGB/RGBA, not interlaced: what both browsers' screenshots are).
export function decodePng(buf) {
  let pos = 8;
  let width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('decodePng: only 8-bit non-interlaced PNGs');
      channels = { 2: 3, 6: 4 }[data[9]];
      if (!channels) throw new Error(`decodePng: colour type ${data[9]}`);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      out[y * stride + x] = (line[x] + [0, a, b, (a + b) >> 1, pr][f]) & 0xff;
    }
  }
  return { width, height, channels, pixels: out };
}

// The banner's accent colours (light, escalated, dark): border and primary button.
const ACCENTS = [[0xc2, 0x41, 0x0c], [0xb9, 0x1c, 0x1c], [0xfb, 0x92, 0x3c], [0xf8, 0x71, 0x71]];

/** How many screen pixels inside the banner card's box show its accent colour: proof it is painted. */
export async function bannerPixels(page) {
  const at = await elementAtBannerCentre(page);
  if (!at) return 0;
  const png = decodePng(Buffer.from(await page.screenshot({ type: 'png' })));
  let n = 0;
  const x0 = Math.max(0, Math.floor(at.x)), y0 = Math.max(0, Math.floor(at.y));
  const x1 = Math.min(png.width, Math.ceil(at.x + at.width)), y1 = Math.min(png.height, Math.ceil(at.y + at.height));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * png.channels;
      const [r, g, b] = [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2]];
      if (ACCENTS.some(([R, G, B]) => Math.abs(r - R) + Math.abs(g - G) + Math.abs(b - B) < 40)) n++;
    }
  }
  return n;
}

export async function triggerAction(browser, page) {
  const before = new Set(browser.targets());
  // puppeteer's public wrapper of CDP Extensions.triggerAction with the tab target id.
  const ext = (await browser.extensions()).get(EXT_ID);
  if (!ext) throw new Error(`extension ${EXT_ID} is not loaded`);
  await page.triggerExtensionAction(ext);
  const target = await browser.waitForTarget((t) => !before.has(t) && t.url().startsWith(`chrome-extension://${EXT_ID}/popup.html`), { timeout: 10_000 });
  const popup = await target.asPage();
  // popup.js is a classic script at the end of the body: the buttons are in the DOM while it is
  // still loading, and a click then has no listener and is lost (a test waited a minute for an
  // acknowledgement that was never asked for). Past 'loading', the script has run.
  await popup.waitForFunction(() => document.readyState !== 'loading', { timeout: 10_000 });
  return popup;
}
