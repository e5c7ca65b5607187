// The same production extension in real Firefox ESR (dist/firefox, WebDriver BiDi): banner,
// escalation, SPA navigation, Dismiss, and the events reaching the real host through the
// ~/.mozilla native messaging manifest written by `ringfence install --browser firefox`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';

H.requireTools({ firefox: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sb, srv, browser;
before(async () => {
  sb = H.makeSandbox('banner-fx');
  srv = await H.startFixtureServer();
  browser = await H.launchFirefox({ sandbox: sb, server: srv });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  sb?.cleanup();
});

async function withPage(url, fn) {
  const page = await H.openPage(browser, url);
  try { return await fn(page); } finally { await page.close(); }
}

test('Firefox: banner in English and German, escalation on the late confirm screen', async () => {
  for (const hl of ['en', 'de']) {
    await withPage(`https://chatgpt.com/?hl=${hl}#settings/Account`, async (page) => {
      const b = await H.waitForBanner(page, (x) => x?.rule === 'chatgpt.delete-account', { message: `banner (${hl})` });
      assert.equal(b.shadowMode, 'closed');
      assert.equal(b.role, 'status');
      assert.deepEqual([b.actions[0], b.actions[1], b.actions[2]], ['details', 'snapshot', 'dismiss']);
      await page.click('#delete-account');
      const e = await H.waitForBanner(page, (x) => x?.level === 'dialog', { message: `escalation (${hl})` });
      assert.ok(e.text.includes('last confirmation'), e.text);
    });
  }
});

test('Firefox: no banner on the chat page, banner after hash and pushState navigation', async () => {
  await withPage('https://chatgpt.com/c/6750a', async (page) => {
    await sleep(1200);
    assert.equal(await H.readBanner(page), null, 'banner on the chat page');
    await page.click('#open-settings');
    await sleep(1200);
    assert.equal(await H.readBanner(page), null, 'banner on #settings/General');
    await page.click('a[href="#settings/Account"]');
    await H.waitForBanner(page, (b) => b?.rule === 'chatgpt.delete-account', { message: 'banner after hash navigation' });
    await page.evaluate(() => window.spaNavigate('/c/6750a'));
    await H.waitForBanner(page, (b) => b === null, { message: 'banner gone after pushState' });
    await page.evaluate(() => window.spaNavigate('/c/6750a#settings/Account'));
    await H.waitForBanner(page, (b) => b?.rule === 'chatgpt.delete-account', { message: 'banner after pushState to the route', timeout: 15_000 });
  });
});

test('Firefox: Dismiss is a trusted click inside the closed shadow root', async () => {
  await withPage('https://platform.openai.com/api-keys', async (page) => {
    await H.waitForBanner(page, (b) => b?.rule === 'platform.revoke-key');
    await H.clickBanner(page, 'dismiss');
    await H.waitForBanner(page, (b) => b === null || !b.rule, { message: 'dismissed' });
  });
});

test('Firefox: the events reach the host log', async () => {
  const ev = await H.waitFor(() => {
    const e = H.events(sb);
    return e.some((x) => x.type === 'warning.dismissed') ? e : false;
  }, { message: 'events from Firefox' });
  const types = new Set(ev.map((e) => `${e.type} ${e.rule_id}`));
  for (const t of ['warning.shown chatgpt.delete-account', 'warning.escalated chatgpt.delete-account',
    'warning.shown platform.revoke-key', 'warning.dismissed platform.revoke-key']) assert.ok(types.has(t), `missing ${t}: ${[...types]}`);
  assert.ok(!ev.some((e) => e.url.endsWith('/c/6750a')), 'an event for the chat page');
});

test('Firefox: a hostile page cannot remove, restyle or hide the banner', async () => {
  await withPage('https://chatgpt.com/hostile.html#settings/Account', async (page) => {
    await H.waitForBanner(page);
    await sleep(600);
    const first = await H.readBanner(page);
    await sleep(1500);
    assert.ok(await page.evaluate(() => window.attacks) > 10);
    const b = await H.readBanner(page);
    assert.equal(b.text, first.text);
    assert.equal(b.hostStyle, first.hostStyle);
    assert.deepEqual(b.hostAttrs, ['popover', 'style']);
    const at = await H.elementAtBannerCentre(page);
    assert.equal(at.tag, 'RINGFENCE-WARNING', JSON.stringify(at));
    assert.ok(at.width > 100 && at.height > 30, JSON.stringify(at));
    for (let i = 0; i < 3; i++, await sleep(37)) {
      const px = await H.bannerPixels(page);
      assert.ok(px > 500, `only ${px} banner-coloured pixels on screen`);
    }
  });
});
