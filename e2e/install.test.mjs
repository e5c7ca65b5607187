// `ringfence install` seen from real browsers. Chromium: register the host
// inside a fresh profile with --user-data-dir, start Debian's Chromium on that
// profile with a minimal MV3 extension (fixed key, so its id is the dev id the
// host allows), and complete a hello round trip over connectNative; `doctor`
// must pass for the profile, and after `uninstall --purge` the same browser
// must report the host as gone. Firefox: the same through the per-user
// ~/.mozilla folder, with a minimal extension carrying the dev gecko id, once
// for a home with ~/.mozilla and once for one with only ~/.config/mozilla.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'ringfence');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const firefox = process.env.FIREFOX || '/usr/bin/firefox-esr';
const ext = path.join(root, 'e2e', 'fixtures', 'hello-ext');
const fxExt = path.join(root, 'e2e', 'fixtures', 'hello-ext-firefox');
const EXT_ID = 'kgjgjjlabbgcnkpjhjigkccigfbappbn';

for (const [file, fix] of [[bin, 'run: make host'], [chromium, 'run: apt-get install -y chromium'], [firefox, 'run: apt-get install -y firefox-esr']]) {
  if (!existsSync(file)) throw new Error(`${file} is missing; ${fix}`);
}

let tmp, home, data, profile, env;
before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'ringfence-install-'));
  home = path.join(tmp, 'home');
  data = path.join(tmp, 'data');
  profile = path.join(tmp, 'profile');
  mkdirSync(home);
  mkdirSync(profile);
  // The browser passes its environment to the host: RINGFENCE_HOME and HOME
  // keep everything inside tmp; no session bus, so the host uses its key file.
  env = { ...process.env, HOME: home, RINGFENCE_HOME: data, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function ringfence(args, e = env) {
  const r = spawnSync(bin, args, { env: e, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function withChromium(fn) {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true, // puppeteer passes --headless=new
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--no-sandbox', '--disable-gpu', `--load-extension=${ext}`, `--disable-extensions-except=${ext}`,
      `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    env,
  });
  try {
    const target = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${EXT_ID}/`),
      { timeout: 15_000 },
    );
    const worker = await target.worker();
    return await fn(worker);
  } finally {
    await browser.close();
  }
}

test('install --user-data-dir, then a hello round trip from a real Chromium extension', async () => {
  const inst = ringfence(['install', '--browser', 'chromium', '--user-data-dir', profile, '--json']);
  assert.equal(inst.code, 0, `install failed: ${inst.err}${inst.out}`);
  const res = JSON.parse(inst.out);
  const manifestPath = path.join(profile, 'NativeMessagingHosts', 'io.ringfence.host.json');
  assert.equal(res.locations.length, 1);
  assert.equal(res.locations[0].status, 'registered');
  assert.equal(res.locations[0].manifest, manifestPath);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  assert.equal(manifest.path, path.join(data, 'bin', 'ringfence'), 'the manifest points at the stable copy, not bin/');
  assert.deepEqual(manifest.allowed_origins, [`chrome-extension://${EXT_ID}/`]);

  const first = await withChromium((w) => w.evaluate(() => globalThis.hello()));
  assert.equal(first.error, undefined, `connectNative failed: ${first.error}`);
  assert.equal(first.reply.id, 'e2e-hello');
  assert.equal(first.reply.ok, true, JSON.stringify(first.reply));
  assert.equal(first.reply.body.protocol_version, 1);
  assert.match(first.reply.body.host_version, /^\d+\.\d+\.\d+/);

  // doctor repeats the lookup for the recorded profile and spawns the host.
  const doc = ringfence(['doctor', '--json']);
  const report = JSON.parse(doc.out);
  const profileChecks = report.checks.filter((c) => c.name.includes(profile));
  assert.ok(profileChecks.length >= 6 && profileChecks.every((c) => c.ok), JSON.stringify(report.checks, null, 1));
  assert.ok(profileChecks.some((c) => c.name.endsWith('hello')), 'doctor spawned the host for the profile');
  // Chromium itself creates ~/.config/chromium ("Crash Reports") even when
  // started with --user-data-dir, so doctor rightly reports that the default
  // profile is not registered; nothing else may fail.
  const failed = report.checks.filter((c) => !c.ok);
  assert.deepEqual(failed.map((c) => c.name), ['chromium: manifest present'], JSON.stringify(failed));
  assert.equal(doc.code, 1, 'doctor exits 1 when any check fails');

  // uninstall removes the registration: the browser now says so itself.
  const un = ringfence(['uninstall', '--purge', '--yes']);
  assert.equal(un.code, 0, `uninstall failed: ${un.err}${un.out}`);
  assert.equal(existsSync(manifestPath), false);
  assert.equal(existsSync(data), false, 'purge deletes the data dir');
  const gone = await withChromium((w) => w.evaluate(() => globalThis.hello()));
  assert.equal(gone.reply, undefined);
  assert.match(gone.error, /native messaging host not found/i);
});

// The fixture's background page does the round trip at start-up and reports
// through about:blank#<json> (WebDriver BiDi does not expose extension pages).
async function firefoxHello(e) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: firefox, headless: true, env: e,
    extraPrefsFirefox: { 'xpinstall.signatures.required': false },
  });
  try {
    await browser.installExtension(fxExt);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      for (const p of await browser.pages()) {
        const hash = await p.evaluate(() => location.hash).catch(() => '');
        if (hash.length > 1) return JSON.parse(decodeURIComponent(hash.slice(1)));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the Firefox fixture reported nothing within 15 s');
  } finally {
    await browser.close();
  }
}

// Firefox 147 and later create profiles under ~/.config/mozilla but still read
// hosts from ~/.mozilla/native-messaging-hosts: a home whose only Firefox trace
// is the new folder must be registered, where Firefox reads it.
for (const [label, trace] of [['~/.mozilla', '.mozilla'], ['only ~/.config/mozilla', '.config/mozilla']]) {
  test(`install for Firefox (${label}), then a hello round trip from a real Firefox extension`, async () => {
    const fxHome = path.join(tmp, `fx-home-${trace.replaceAll('/', '_')}`);
    const fxData = path.join(tmp, `fx-data-${trace.replaceAll('/', '_')}`);
    mkdirSync(path.join(fxHome, trace), { recursive: true });
    const e = { ...env, HOME: fxHome, RINGFENCE_HOME: fxData };

    // Default install: Firefox is found by its folder.
    const inst = ringfence(['install', '--json'], e);
    assert.equal(inst.code, 0, `install failed: ${inst.err}${inst.out}`);
    const fx = JSON.parse(inst.out).locations.find((l) => l.id === 'firefox');
    assert.equal(fx.status, 'registered', JSON.stringify(fx));
    const manifest = JSON.parse(readFileSync(path.join(fxHome, '.mozilla', 'native-messaging-hosts', 'io.ringfence.host.json'), 'utf8'));
    assert.deepEqual(manifest.allowed_extensions, ['ringfence@ringfence.io']);

    const doc = ringfence(['doctor', '--json'], e);
    const checks = JSON.parse(doc.out).checks;
    assert.ok(checks.some((c) => c.name === 'firefox: hello' && c.ok), JSON.stringify(checks, null, 1));
    assert.ok(!checks.some((c) => /install a supported browser/.test(c.fix ?? '')), 'doctor must not advise installing a browser that is there');

    const first = await firefoxHello(e);
    assert.equal(first.error, undefined, `connectNative failed: ${first.error}`);
    assert.equal(first.reply.id, 'e2e-hello');
    assert.equal(first.reply.ok, true, JSON.stringify(first.reply));
    assert.equal(first.reply.body.protocol_version, 1);

    const un = ringfence(['uninstall', '--purge', '--yes'], e);
    assert.equal(un.code, 0, `uninstall failed: ${un.err}${un.out}`);
    const gone = await firefoxHello(e);
    assert.equal(gone.reply, undefined);
    assert.match(gone.error, /no such native application/i);
  });
}
