// Real-browser checks of the release files, run by scripts/test-dist.sh (not by
// `npm test`: they need `make dist` first, and the package check needs the
// .deb installed by that script, which also removes it).
//
//   node dist-checks.mjs store-zip DIR   the unpacked Chrome Web Store zip loads in
//                                        real Chromium: its service worker starts,
//                                        under a store-assigned id (no dev key)
//   node dist-checks.mjs system-hello    a fresh profile and HOME, no per-user
//                                        registration: Chromium finds the host
//                                        through the package's system-wide manifest
//                                        and completes a hello round trip
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const DEV_ID = 'kgjgjjlabbgcnkpjhjigkccigfbappbn';

async function withExtension(ext, home, fn) {
  const profile = mkdtempSync(path.join(tmpdir(), 'ringfence-dist-profile-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--no-sandbox', '--disable-gpu', `--load-extension=${ext}`, `--disable-extensions-except=${ext}`,
      `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
  });
  try {
    const target = await browser.waitForTarget(
      (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
      { timeout: 20_000 },
    );
    return await fn(target, await target.worker());
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const [mode, arg] = process.argv.slice(2);
const home = mkdtempSync(path.join(tmpdir(), 'ringfence-dist-home-'));
try {
  if (mode === 'store-zip') {
    const got = await withExtension(path.resolve(arg), home, async (target, worker) => ({
      url: target.url(),
      manifest: await worker.evaluate(() => chrome.runtime.getManifest()),
    }));
    const id = new URL(got.url).host;
    assert.match(id, /^[a-p]{32}$/);
    assert.notEqual(id, DEV_ID, 'the store build must not carry the dev key');
    assert.equal(got.manifest.key, undefined);
    assert.deepEqual(Object.keys(got.manifest.icons).sort(), ['128', '16', '32', '48']);
    console.log(`store zip: loaded in Chromium as ${id}, service worker ${new URL(got.url).pathname}`);
  } else if (mode === 'system-hello') {
    const r = await withExtension(path.join(here, 'fixtures', 'hello-ext'), home,
      (_t, worker) => worker.evaluate(() => globalThis.hello()));
    assert.equal(r.error, undefined, `connectNative through the system-wide manifest failed: ${r.error}`);
    assert.equal(r.reply.id, 'e2e-hello');
    assert.equal(r.reply.ok, true, JSON.stringify(r.reply));
    assert.equal(r.reply.body.protocol_version, 1);
    console.log(`system-wide host: hello answered by host ${r.reply.body.host_version}`);
  } else if (mode === 'system-gone') {
    const r = await withExtension(path.join(here, 'fixtures', 'hello-ext'), home,
      (_t, worker) => worker.evaluate(() => globalThis.hello()));
    assert.equal(r.reply, undefined);
    assert.match(r.error, /native messaging host not found/i);
    console.log('after dpkg -r: Chromium reports the host as not found');
  } else {
    console.error('usage: node dist-checks.mjs store-zip DIR | system-hello | system-gone');
    process.exit(2);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
