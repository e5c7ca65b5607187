// Issue 14 in real Chromium, the opt-in packs (Google, Microsoft, Amazon, GitHub): their pages warn,
// look-alikes on the same hosts stay quiet, the options page switches a pack off and on, asks for that
// pack's hosts only, and lists every rule's sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { grantedPacksCopy, packOrigins } from './lib/packs.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { ctx, finish } = ruleSuite(H, { engine: 'chromium', sandbox: 'rules-packs', label: 'packs', cases: CASES.filter(GROUPS.packs),
  extension: (sb) => grantedPacksCopy(sb, H.DIST_CHROME),
  // The background registers the packs' content scripts once it has seen the granted hosts.
  ready: (c) => H.waitFor(() => c.worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length >= 4),
    { message: 'pack content scripts registered' }) });

test('a pack switched off in the options page stops warning; switched on again it warns', async () => {
  const opts = await H.openPage(ctx.browser, `chrome-extension://${H.EXT_ID}/options.html`);
  try {
    await opts.waitForSelector('input[name="pack"][value="github"]');
    assert.equal(await opts.$eval('input[name="pack"][value="github"]', (e) => e.checked), true, 'granted hosts: the pack shows as on');
    assert.equal(await opts.$eval('input[name="pack"][value="openai"]', (e) => e.checked && e.disabled), true, 'OpenAI is always on');
    await opts.click('input[name="pack"][value="github"]');
    await H.waitFor(() => ctx.worker.evaluate(async () => !(await chrome.scripting.getRegisteredContentScripts()).some((s) => s.id === 'pack-github')),
      { message: 'github content script unregistered' });
    const page = await H.openPage(ctx.browser, 'https://github.com/settings/admin');
    await sleep(1200);
    assert.equal(await H.readBanner(page), null, 'a switched-off pack warned');
    await page.close();
    await opts.click('input[name="pack"][value="github"]'); // already granted: the request resolves at once
    await H.waitFor(() => ctx.worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).some((s) => s.id === 'pack-github')),
      { message: 'github content script registered again' });
    const again = await H.openPage(ctx.browser, 'https://github.com/settings/admin');
    await H.waitForBanner(again, (b) => b?.rule === 'github.delete-account');
    await again.close();
  } finally {
    await opts.close();
  }
});

test('enabling a pack in the options page asks for that pack\'s hosts only (the production build)', async () => {
  const own = H.makeSandbox('rules-perm');
  const b2 = await H.launchChromium({ sandbox: own, server: ctx.srv, register: false });
  try {
    const w2 = await H.extensionWorker(b2);
    const before = await w2.evaluate(() => chrome.permissions.getAll());
    const all = packOrigins(H.DIST_CHROME);
    for (const o of all) assert.ok(!before.origins.includes(o), `${o} granted before anything was asked`);
    assert.ok(!before.origins.includes('<all_urls>'));
    assert.deepEqual(await w2.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.id)), [], 'no pack is on by default');
    const opts = await H.openPage(b2, `chrome-extension://${H.EXT_ID}/options.html`);
    await opts.waitForSelector('input[name="pack"][value="microsoft"]');
    // Each pack lists the hosts it would ask for, its facts and their sources.
    const listed = await opts.$eval('[data-pack="microsoft"] .pack-hosts', (e) => e.textContent);
    assert.ok(listed.includes('account.microsoft.com') && listed.includes('account.live.com'), listed);
    await opts.click('input[name="pack"][value="microsoft"]');
    const asked = await H.waitFor(() => opts.$eval('[data-pack="microsoft"]', (e) => e.dataset.requested || false), { message: 'the permission request' });
    assert.deepEqual(JSON.parse(asked).sort(), ['https://account.live.com/*', 'https://account.microsoft.com/*']);
    // The prompt is open (headless cannot answer it): nothing is granted or registered meanwhile.
    await sleep(500);
    const after = await w2.evaluate(() => chrome.permissions.getAll());
    assert.deepEqual(after.origins.sort(), before.origins.sort());
    assert.deepEqual(await w2.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.id)), []);
    assert.equal(await w2.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.packs?.microsoft), undefined, 'switched on before the grant');
  } finally {
    await b2.close();
    own.cleanup();
  }
});

test('the options page lists every rule with its sources', async () => {
  const opts = await H.openPage(ctx.browser, `chrome-extension://${H.EXT_ID}/options.html`);
  try {
    await opts.waitForSelector('#provenance [data-rule="auth.account-deleted"]');
    const auth = await opts.$eval('#provenance [data-rule="auth.account-deleted"]', (e) => e.textContent);
    assert.ok(auth.includes('github.com/openai/codex/issues/42655'), auth);
    const n = await opts.$$eval('#provenance [data-rule]', (l) => l.length);
    assert.ok(n >= 11, `${n} rules listed`);
  } finally {
    await opts.close();
  }
});

finish();
