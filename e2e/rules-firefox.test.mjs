// Issue 14's auth.openai.com and platform.openai.com cases in real Firefox ESR (WebDriver BiDi): the
// same table as rules.test.mjs, on the production build. ChatGPT: rules-chatgpt-firefox.test.mjs;
// Sora and privacy: rules-sora-firefox.test.mjs; the packs: rules-packs-firefox.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools({ firefox: true });
const OWN = ['sora.com', 'sora.chatgpt.com', 'privacy.openai.com'];
const CASES = ALL.filter((c) => c.pack === 'openai' && new URL(c.url).hostname !== 'chatgpt.com' && !OWN.includes(new URL(c.url).hostname));

let sb, srv, browser;
before(async () => {
  sb = H.makeSandbox('rules-fx');
  srv = await H.startFixtureServer();
  browser = await H.launchFirefox({ sandbox: sb, server: srv });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

// WebDriver BiDi cannot see the content script's isolated world, so here a quiet case cannot prove
// by itself that the script ran; every host of a quiet case also has warn cases in this suite (the
// script demonstrably runs there), and the Chromium suite checks the isolated world for each page.
const table = [];
for (const c of CASES) {
  test(`Firefox ${c.kind}: ${c.name}`, async () => {
    const seen = await runCase(H, browser, c, { quietMs: 1200 });
    table.push([c.name, c.kind, seen.join(' → ')]);
  });
}

test('Firefox: the events reach the host; none for a look-alike', async () => {
  const ev = await H.waitFor(() => { const e = H.events(sb); return e.some((x) => x.rule_id === 'platform.archive-project') ? e : false; }, { message: 'events' });
  const rules = new Set(ev.filter((e) => e.type.startsWith('warning.')).map((e) => e.rule_id));
  for (const r of ['auth.account-deleted', 'platform.revoke-key', 'platform.archive-project']) {
    assert.ok(rules.has(r), `no event for ${r}: ${[...rules]}`);
  }
  const quietUrls = new Set(CASES.filter((c) => c.kind === 'quiet' && c.steps.every((s) => s[0] !== 'expect')).map((c) => c.url));
  assert.deepEqual(ev.filter((e) => e.type.startsWith('warning.') && quietUrls.has(e.url)).map((e) => `${e.rule_id} ${e.url}`), []);
});

test('detection table (Firefox)', () => {
  console.log('\nDETECTION TABLE (Firefox, auth and platform)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
