// Issue 14 in real Chromium, the OpenAI pages: rules that follow how the real pages behave (dialogs
// over any page, confirmations recognised by what they ask, codes matched as codes, option cards by
// title) and the look-alikes that must stay quiet. The packs: rules-packs.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools();
const CASES = ALL.filter((c) => c.pack === 'openai');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sb, srv, browser, worker;
before(async () => {
  sb = H.makeSandbox('rules');
  srv = await H.startFixtureServer();
  browser = await H.launchChromium({ sandbox: sb, server: srv, });
  worker = await H.extensionWorker(browser);
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

test('the escalation event says which confirmation the dialog asks for', async () => {
  const ev = await H.waitFor(() => {
    const e = H.events(sb).filter((x) => x.type === 'warning.escalated' && x.rule_id === 'chatgpt.delete-account');
    return e.length >= 3 ? e : false;
  }, { message: 'escalation events' });
  const kinds = ev.map((e) => [...(e.detail.confirm ?? [])].sort().join('+'));
  assert.ok(kinds.includes('reauth'), `stale login: ${kinds}`);
  assert.ok(kinds.includes('email+type-word'), `fresh login: ${kinds}`);
  assert.ok(kinds.includes('type-word'), `account without email: ${kinds}`);
});

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
  console.log('\nDETECTION TABLE (Chromium, OpenAI)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
