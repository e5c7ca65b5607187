// Issue 14 in real Chromium, Sora and the privacy portal: Sora's settings dialog over any page (the
// URL never changes), the privacy portal's option cards matched by their title, and the look-alikes
// that must stay quiet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools();
const OWN = ['sora.com', 'sora.chatgpt.com', 'privacy.openai.com'];
const CASES = ALL.filter((c) => OWN.includes(new URL(c.url).hostname));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sb, srv, browser, worker;
before(async () => {
  sb = H.makeSandbox('rules-sora');
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

test('detection table (Chromium)', () => {
  console.log('\nDETECTION TABLE (Chromium, Sora and privacy)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
