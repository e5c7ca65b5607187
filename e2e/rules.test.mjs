// Issue 14 in real Chromium, auth.openai.com and platform.openai.com: codes matched as codes in any
// language, list pages that say what they can do, unlabelled icons' dialogs, and the look-alikes that
// must stay quiet. ChatGPT: rules-chatgpt.test.mjs; Sora and the privacy portal: rules-sora.test.mjs;
// the packs: rules-packs.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { ctx, finish } = ruleSuite(H, { engine: 'chromium', sandbox: 'rules', label: 'auth and platform', cases: CASES.filter(GROUPS.platform) });

test('the production build: packs are off, their sites get no content script and no warning', async () => {
  const granted = await ctx.worker.evaluate(() => chrome.permissions.getAll());
  assert.ok(!granted.origins.includes('<all_urls>'), JSON.stringify(granted.origins));
  for (const url of ['https://github.com/settings/admin', 'https://myaccount.google.com/deleteaccount', 'https://www.amazon.com/privacy/data-deletion']) {
    const page = await H.openPage(ctx.browser, url);
    try {
      await sleep(1200);
      assert.equal(await H.contentScriptRan(page), false, `the content script ran on ${url}`);
      assert.equal(await H.readBanner(page), null, url);
    } finally { await page.close(); }
  }
});

finish();
