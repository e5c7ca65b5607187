// Issue 14 in real Chromium, auth.openai.com and platform.openai.com: codes matched as codes in any
// language, list pages that say what they can do, unlabelled icons' dialogs, and the look-alikes that
// must stay quiet. ChatGPT: rules-chatgpt.test.mjs; Sora and the privacy portal: rules-sora.test.mjs;
// the packs: rules-packs.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools();
const OWN = ['sora.com', 'sora.chatgpt.com', 'privacy.openai.com'];
const CASES = ALL.filter((c) => c.pack === 'openai' && new URL(c.url).hostname !== 'chatgpt.com' && !OWN.includes(new URL(c.url).hostname));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sb, srv, browser, worker;
before(async () => {
  sb = H.makeSandbox('rules');
  srv = await H.startFixtureServer();
  browser = await H.launchChromium({ sandbox: sb, server: srv, });
  worker = await H.extensionWorker(browser);
  // Automatic snapshots on every escalation are another suite's subject; off here, they would only
  // slow the pass on a busy machine.
  await worker.evaluate(async () => {
    const cur = (await chrome.storage.local.get('settings')).settings ?? {};
    await chrome.storage.local.set({ settings: { ...cur, captureAuto: false } });
  });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

const table = [];
for (const c of CASES) {
  test(`Chromium ${c.kind}: ${c.name}`, async () => {
    const seen = await runCase(H, browser, c, { quietCheck: H.contentScriptRan });
    table.push([c.name, c.kind, seen.join(' → ')]);
  });
}

test('no warning event for any look-alike page', async () => {
  await sleep(500);
  const quietUrls = new Set(CASES.filter((c) => c.kind === 'quiet' && c.steps.every((s) => s[0] !== 'expect')).map((c) => c.url));
  const wrong = H.events(sb).filter((e) => e.type.startsWith('warning.') && quietUrls.has(e.url));
  assert.deepEqual(wrong.map((e) => `${e.type} ${e.rule_id} ${e.url}`), []);
});

test('the production build: packs are off, their sites get no content script and no warning', async () => {
  const granted = await worker.evaluate(() => chrome.permissions.getAll());
  assert.ok(!granted.origins.includes('<all_urls>'), JSON.stringify(granted.origins));
  for (const url of ['https://github.com/settings/admin', 'https://myaccount.google.com/deleteaccount', 'https://www.amazon.com/privacy/data-deletion']) {
    const page = await H.openPage(browser, url);
    try {
      await sleep(1200);
      assert.equal(await H.contentScriptRan(page), false, `the content script ran on ${url}`);
      assert.equal(await H.readBanner(page), null, url);
    } finally { await page.close(); }
  }
});

test('detection table (Chromium)', () => {
  console.log('\nDETECTION TABLE (Chromium, auth and platform)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
