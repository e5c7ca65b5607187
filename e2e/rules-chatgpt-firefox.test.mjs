// Issue 14's ChatGPT cases in real Firefox ESR (WebDriver BiDi): the same table as
// rules-chatgpt.test.mjs, on the production build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES as ALL, runCase } from './lib/rule-cases.mjs';

H.requireTools({ firefox: true });
const CASES = ALL.filter((c) => new URL(c.url).hostname === 'chatgpt.com');

let sb, srv, browser;
before(async () => {
  sb = H.makeSandbox('rules-chatgpt-fx');
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
  const ev = await H.waitFor(() => { const e = H.events(sb); return e.some((x) => x.type === 'warning.escalated' && x.rule_id === 'chatgpt.delete-account') ? e : false; }, { message: 'events' });
  const rules = new Set(ev.filter((e) => e.type.startsWith('warning.')).map((e) => e.rule_id));
  for (const r of ['chatgpt.delete-account']) {
    assert.ok(rules.has(r), `no event for ${r}: ${[...rules]}`);
  }
  const quietUrls = new Set(CASES.filter((c) => c.kind === 'quiet' && c.steps.every((s) => s[0] !== 'expect')).map((c) => c.url));
  assert.deepEqual(ev.filter((e) => e.type.startsWith('warning.') && quietUrls.has(e.url)).map((e) => `${e.rule_id} ${e.url}`), []);
});

test('detection table (Firefox)', () => {
  console.log('\nDETECTION TABLE (Firefox, ChatGPT)\n' + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  assert.equal(table.length, CASES.length, 'every case ran');
});
