// Issue 14 in real Chromium, ChatGPT: the settings dialog over a conversation (pushState/replaceState),
// the stale- and fresh-login confirmations in several languages, recognised by what they ask, and the
// look-alikes that must stay quiet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools();
const CASES = ALL.filter((c) => new URL(c.url).hostname === 'chatgpt.com');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sb, srv, browser, worker;
before(async () => {
  sb = H.makeSandbox('rules-chatgpt');
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

test('detection table (Chromium)', () => {
  console.log('\nDETECTION TABLE (Chromium, ChatGPT)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
