// One detection suite of issue 14 in one browser: the browser with the production build, every case
// of lib/rule-cases.mjs it is given as a test, the look-alike check and the detection table. The
// rules*.test.mjs files pick their cases and add the tests only they have.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCase } from './rule-cases.mjs';

/**
 * Registers the suite's setup and one test per case. `extension(sandbox)` gives another extension
 * folder to load (the packs' granted copy); `ready(ctx)` runs once the browser is up. Returns the
 * context ({ sb, srv, browser, worker }: filled in by `before`) and `finish`, which registers the
 * look-alike and detection-table tests: call it after the file's own tests.
 */
export function ruleSuite(H, { engine, sandbox, label, cases, extension, ready }) {
  const firefox = engine === 'firefox';
  H.requireTools(firefox ? { firefox: true } : undefined);
  const ctx = {};
  before(async () => {
    ctx.sb = H.makeSandbox(sandbox);
    ctx.srv = await H.startFixtureServer();
    const ext = extension ? { extension: extension(ctx.sb) } : {};
    if (firefox) {
      ctx.browser = await H.launchFirefox({ sandbox: ctx.sb, server: ctx.srv, ...ext });
    } else {
      ctx.browser = await H.launchChromium({ sandbox: ctx.sb, server: ctx.srv, ...ext });
      ctx.worker = await H.extensionWorker(ctx.browser);
      // Automatic snapshots on every escalation are another suite's subject; off here, they would
      // only slow the pass on a busy machine.
      await ctx.worker.evaluate(async () => {
        const cur = (await chrome.storage.local.get('settings')).settings ?? {};
        await chrome.storage.local.set({ settings: { ...cur, captureAuto: false } });
      });
    }
    await ready?.(ctx);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.srv?.close();
    ctx.sb?.cleanup();
  });

  const name = firefox ? 'Firefox' : 'Chromium';
  const table = [];
  // WebDriver BiDi cannot see the content script's isolated world, so in Firefox a quiet case cannot
  // prove by itself that the script ran; every host of a quiet case also has warn cases in its suite
  // (the script demonstrably runs there), and the Chromium suite checks the isolated world per page.
  const opts = firefox ? { quietMs: 1200 } : { quietCheck: H.contentScriptRan };
  for (const c of cases) {
    test(`${name} ${c.kind}: ${c.name}`, async () => {
      const seen = await runCase(H, ctx.browser, c, opts);
      table.push([c.name, c.kind, seen.join(' → ')]);
    });
  }
  const quietUrls = () => new Set(cases.filter((c) => c.kind === 'quiet' && c.steps.every((s) => s[0] !== 'expect')).map((c) => c.url));

  /** `arrived(events)`: the events the suite waits for are in the host's log; then each rule of
   * `mustWarn` has a warning event, and no look-alike page has any. */
  const finish = ({ arrived, mustWarn = [] } = {}) => {
    test(`${name}: the events reach the host; none for a look-alike`, async () => {
      const ev = arrived
        ? await H.waitFor(() => { const e = H.events(ctx.sb); return arrived(e) ? e : false; }, { message: 'events' })
        : (await new Promise((r) => setTimeout(r, 500)), H.events(ctx.sb));
      const rules = new Set(ev.filter((e) => e.type.startsWith('warning.')).map((e) => e.rule_id));
      for (const r of mustWarn) assert.ok(rules.has(r), `no event for ${r}: ${[...rules]}`);
      const quiet = quietUrls();
      assert.deepEqual(ev.filter((e) => e.type.startsWith('warning.') && quiet.has(e.url)).map((e) => `${e.type} ${e.rule_id} ${e.url}`), []);
    });
    test(`detection table (${name})`, () => {
      console.log(`\nDETECTION TABLE (${name}, ${label})\n` + table.map((r) => `| ${r.join(' | ')} |`).join('\n'));
      assert.equal(table.length, cases.length, 'every case ran');
    });
  };
  return { ctx, finish };
}

/** The hosts that have suites of their own besides ChatGPT's. */
export const SORA_AND_PRIVACY = ['sora.com', 'sora.chatgpt.com', 'privacy.openai.com'];
const host = (c) => new URL(c.url).hostname;
/** The case groups, one per pair of suite files (Chromium, Firefox). */
export const GROUPS = {
  chatgpt: (c) => host(c) === 'chatgpt.com',
  sora: (c) => SORA_AND_PRIVACY.includes(host(c)),
  platform: (c) => c.pack === 'openai' && host(c) !== 'chatgpt.com' && !SORA_AND_PRIVACY.includes(host(c)),
  packs: (c) => c.pack !== 'openai',
};
