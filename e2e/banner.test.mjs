// The warning banner and click guard in real Chromium: the production build of the extension
// (dist/chrome), the real host registered with `ringfence install --browser chromium
// --user-data-dir`, fixture pages served at the real OpenAI hostnames (e2e/fixtures/sites).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';

H.requireTools();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Longer than the content script's pass interval (250 ms) plus a frame: long enough for a banner
// that was going to appear. "No banner" is only asserted together with contentScriptRan().
const QUIET_MS = 1200;

let sb, srv, browser, worker;
before(async () => {
  sb = H.makeSandbox('banner');
  srv = await H.startFixtureServer();
  browser = await H.launchChromium({ sandbox: sb, server: srv });
  worker = await H.extensionWorker(browser);
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

async function setSettings(patch) {
  await worker.evaluate(async (p) => {
    const cur = (await chrome.storage.local.get('settings')).settings ?? {};
    await chrome.storage.local.set({ settings: { ...cur, ...p } });
  }, patch);
}

async function assertNoBanner(page, what) {
  await sleep(QUIET_MS);
  assert.ok(await H.contentScriptRan(page), `the content script did not run on ${what}`);
  const b = await H.readBanner(page);
  assert.equal(b, null, `unexpected banner on ${what}: ${JSON.stringify(b)}`);
}

const expected = [
  // url, rule, level, a phrase of the localized banner text
  ['https://chatgpt.com/#settings/Account', 'chatgpt.delete-account', 'control', 'This deletes your whole OpenAI account'],
  ['https://chatgpt.com/?hl=de#settings/Account', 'chatgpt.delete-account', 'control', 'API access'],
  ['https://chatgpt.com/?hl=fr#settings/Account', 'chatgpt.delete-account', 'control', 'ChatGPT'],
  ['https://chatgpt.com/?hl=ja#settings/Account', 'chatgpt.delete-account', 'control', 'ChatGPT'],
  ['https://chatgpt.com/?hl=es#settings/Account', 'chatgpt.delete-account', 'control', 'ChatGPT'],
  ['https://platform.openai.com/api-keys', 'platform.revoke-key', 'control', 'Revoking this key stops every system that uses it'],
  ['https://platform.openai.com/settings/proj_abc123/general', 'platform.archive-project', 'control', 'breaks its API keys'],
  ['https://platform.openai.com/settings/organization/general', 'platform.organization', 'control', 'who can use this organization'],
  ['https://sora.com/settings', 'sora.delete-account', 'control', 'Deleting your Sora account deletes your whole OpenAI account'],
  ['https://sora.chatgpt.com/settings?hl=ja', 'sora.delete-account', 'control', 'API access'],
  ['https://auth.openai.com/log-in', 'auth.account-deleted', 'page', 'deleted or deactivated'],
  ['https://auth.openai.com/log-in?hl=de', 'auth.account-deleted', 'page', 'deleted or deactivated'],
  ['https://auth.openai.com/log-in?hl=ja', 'auth.account-deleted', 'page', 'deleted or deactivated'],
];

for (const [url, rule, level, phrase] of expected) {
  test(`banner: ${url} → ${rule}`, async () => {
    await withPage(url, async (page) => {
      const b = await H.waitForBanner(page, (x) => x?.rule === rule, { message: `${rule} on ${url}` });
      assert.equal(b.level, level);
      assert.equal(b.role, 'status', 'calm until a confirmation step opens');
      assert.equal(b.shadowMode, 'closed');
      // The bar: details, the rule's first action, Dismiss; in the details the snooze and settings.
      assert.deepEqual([b.actions[0], b.actions[1], b.actions[2]], ['details', 'snapshot', 'dismiss']);
      assert.ok(b.actions.includes('snooze') && b.actions.includes('options'), JSON.stringify(b.actions));
      assert.ok(b.text.includes(phrase), b.text);
      assert.equal((await H.elementAtBannerCentre(page)).tag, 'RINGFENCE-WARNING', 'the banner is on top');
      await sleep(300); // the 180 ms entrance animation
      assert.ok(await H.bannerPixels(page) > 500, 'the banner is painted');
    });
  });
}

test('the identity warning names what is lost', async () => {
  await withPage('https://chatgpt.com/#settings/Account', async (page) => {
    const b = await H.waitForBanner(page);
    for (const s of ['ChatGPT chats', 'API access', 'every API key stops working', 'same email or phone number']) assert.ok(b.text.includes(s), s);
  });
});

test('no banner on benign pages', async () => {
  const benign = [
    'https://chatgpt.com/c/6750a', // chat page: "Delete chat", "Archive chat" menu items, "Delete chat" button
    'https://chatgpt.com/?hl=de', // the same in German
    'https://chatgpt.com/#settings/DataControls', // "Delete all chats" / "Delete all", "Archive all chats"
    'https://chatgpt.com/?hl=ja#settings/DataControls',
    'https://chatgpt.com/#settings/General',
    'https://platform.openai.com/playground', // destructive words, but not a matched route
    'https://sora.com/explore',
    'https://auth.openai.com/log-in?ok=1',
  ];
  for (const url of benign) await withPage(url, (page) => assertNoBanner(page, url));
});

test('SPA: the banner follows hash and history navigation', async () => {
  await withPage('https://chatgpt.com/c/6750a', async (page) => {
    await assertNoBanner(page, 'the chat page');
    await page.click('#open-settings'); // → #settings/General
    await assertNoBanner(page, '#settings/General');
    await page.click('a[href="#settings/DataControls"]');
    await assertNoBanner(page, '#settings/DataControls');
    await page.click('a[href="#settings/Account"]');
    await H.waitForBanner(page, (b) => b?.rule === 'chatgpt.delete-account', { message: 'banner after hash navigation' });
    // history.pushState from the page's router: no hashchange, seen through the Navigation API.
    await page.evaluate(() => window.spaNavigate('/c/6750a'));
    await H.waitForBanner(page, (b) => b === null, { message: 'banner gone after pushState away' });
    await page.evaluate(() => window.spaNavigate('/c/6750a#settings/Account'));
    await H.waitForBanner(page, (b) => b?.rule === 'chatgpt.delete-account', { message: 'banner after pushState to the route' });
  });
});

test('the confirm screen appears later: the warning escalates next to it', async () => {
  await withPage('https://chatgpt.com/?hl=de#settings/Account', async (page) => {
    await H.waitForBanner(page);
    await page.click('#delete-account');
    const b = await H.waitForBanner(page, (x) => x?.level === 'dialog', { message: 'escalation' });
    assert.equal(b.rule, 'chatgpt.delete-account');
    assert.equal(b.role, 'alert', 'a confirmation step that is open interrupts');
    assert.ok(b.text.startsWith('Final step'), b.text);
    assert.ok(b.text.includes('last confirmation'), b.text);
    // Beside the dialog, not on it: the page sees its own dialog at the dialog's centre.
    const dialogCentreTag = await page.evaluate(() => {
      const r = document.querySelector('[data-testid="confirm-delete-account"]').getBoundingClientRect();
      return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest('[role=dialog]')?.dataset.testid;
    });
    assert.equal(dialogCentreTag, 'confirm-delete-account');
    const card = await H.elementAtBannerCentre(page);
    assert.equal(card.tag, 'RINGFENCE-WARNING');
    const d = await page.evaluate(() => {
      const r = document.querySelector('[data-testid="confirm-delete-account"]').getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    const overlapX = Math.min(card.x + card.width, d.right) - Math.max(card.x, d.left);
    const overlapY = Math.min(card.y + card.height, d.bottom) - Math.max(card.y, d.top);
    assert.ok(overlapX <= 0 || overlapY <= 0, `the warning covers the dialog: ${JSON.stringify({ card, d })}`);
    const gap = Math.max(card.x - d.right, d.left - (card.x + card.width), card.y - d.bottom, d.top - (card.y + card.height));
    assert.ok(gap <= 24, `the warning is not next to the dialog (gap ${gap}px)`);
  });
});

test('privacy portal: the deletion option warns, the deletion form escalates (en, fr)', async () => {
  for (const hl of ['en', 'fr']) {
    await withPage(`https://privacy.openai.com/policies?hl=${hl}`, async (page) => {
      await assertNoBanner(page, 'the privacy portal start page');
      await page.click('#make-request');
      await H.waitForBanner(page, (b) => b?.rule === 'privacy.delete-account-request' && b.level === 'control', { message: `privacy option ${hl}` });
      await page.click('#opt-delete');
      await H.waitForBanner(page, (b) => b?.level === 'dialog', { message: `privacy form ${hl}` });
    });
  }
});

test('platform: the revoke dialog and the Sora delete dialog escalate', async () => {
  await withPage('https://platform.openai.com/api-keys', async (page) => {
    await H.waitForBanner(page);
    await page.click('#revoke-1');
    const b = await H.waitForBanner(page, (x) => x?.level === 'dialog');
    assert.equal(b.rule, 'platform.revoke-key');
  });
  await withPage('https://sora.com/settings', async (page) => {
    await H.waitForBanner(page);
    await page.click('#delete-account');
    const b = await H.waitForBanner(page, (x) => x?.level === 'dialog');
    assert.equal(b.rule, 'sora.delete-account');
  });
});

test('a hostile page cannot remove, restyle, hide or spoof the banner', async () => {
  await withPage('https://chatgpt.com/hostile.html#settings/Account', async (page) => {
    await H.waitForBanner(page);
    await sleep(600); // the personal line from identity.summary may still arrive
    const first = await H.readBanner(page);
    await sleep(1500); // the page attacks every 20 ms
    const attacks = await page.evaluate(() => window.attacks);
    assert.ok(attacks > 10, `the page attacked ${attacks} times`);
    const b = await H.readBanner(page);
    assert.equal(b.rule, 'chatgpt.delete-account');
    assert.equal(b.text, first.text, 'the content is unchanged');
    assert.equal(b.hostStyle, first.hostStyle, 'inline style restored');
    assert.deepEqual(b.hostAttrs, ['popover', 'style'], 'no attribute the page added survives');
    const at = await H.elementAtBannerCentre(page);
    assert.ok(at.width > 100 && at.height > 30, JSON.stringify(at));
    assert.equal(at.tag, 'RINGFENCE-WARNING', 'on top despite the page stylesheet');
    // Painted, not just present: its accent colour is on the screen (a page that keeps removing the
    // element must not hold it at a transparent frame).
    for (let i = 0; i < 3; i++, await sleep(37)) {
      const px = await H.bannerPixels(page);
      assert.ok(px > 500, `only ${px} banner-coloured pixels on screen`);
    }
    // The page can find our element but not into it.
    const seen = await page.evaluate(() => {
      const el = document.querySelector('ringfence-warning');
      return el ? { shadow: el.shadowRoot, text: el.textContent } : 'removed';
    });
    assert.ok(seen === 'removed' || (seen.shadow === null && seen.text === ''), JSON.stringify(seen));
  });
});

test('the banner is keyboard reachable, and Dismiss hides it until escalation', async () => {
  await withPage('https://platform.openai.com/api-keys', async (page) => {
    await H.waitForBanner(page);
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.tagName === 'RINGFENCE-WARNING');
    }
    assert.ok(reached, 'Tab reaches the banner buttons');
    await H.clickBanner(page, 'dismiss');
    await H.waitForBanner(page, (b) => b === null || !b.rule, { message: 'dismissed' });
    await page.click('#revoke-2');
    await H.waitForBanner(page, (b) => b?.level === 'dialog', { message: 'escalation after dismiss' });
  });
});

test('"Snapshot first" asks the background for a banner snapshot', async () => {
  await withPage('https://platform.openai.com/settings/proj_abc123/general', async (page) => {
    await H.waitForBanner(page);
    await H.clickBanner(page, 'snapshot');
    await H.waitFor(() => H.events(sb).some((e) => e.type === 'snapshot.requested' && e.rule_id === 'platform.archive-project'
      && e.detail?.trigger === 'banner'), { message: 'snapshot.requested event' });
  });
});

test('click guard (confirm): the page can neither open nor pass it; the user can cancel or proceed', async () => {
  await setSettings({ guardMode: 'confirm' });
  try {
    await withPage('https://chatgpt.com/#settings/Account', async (page) => {
      await H.waitForBanner(page);
      // A synthetic click from the page is not the user: no guard, and the page's own handler runs.
      await page.evaluate(() => document.getElementById('delete-account').click());
      await sleep(300);
      assert.equal((await H.readBanner(page)).guard, null, 'a page-made click opened the guard');
      await page.waitForSelector('[data-testid="confirm-delete-account"]');
      await page.evaluate(() => document.getElementById('confirm-cancel').click());
      // With the confirmation gone the warning steps back from beside it to its corner.
      await H.waitForBanner(page, (x) => x?.level === 'control', { message: 'de-escalation' });

      // The user's click is held by the guard.
      await page.click('#delete-account');
      let b = await H.waitForBanner(page, (x) => x?.guard, { message: 'guard' });
      assert.equal(b.guard.role, 'dialog');
      assert.equal(b.guard.proceedDisabled, true, 'proceed is inert at first');
      await sleep(700);
      assert.equal(await page.$('[data-testid="confirm-delete-account"]'), null, 'the click went through the guard');
      // The page cannot dismiss it with a synthetic Escape.
      await page.evaluate(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
      b = await H.readBanner(page);
      assert.ok(b.guard, 'a synthetic Escape closed the guard');
      assert.equal(b.guard.proceedDisabled, false, 'proceed is enabled after 500 ms');
      await H.clickBanner(page, 'cancel');
      await H.waitForBanner(page, (x) => x && !x.guard, { message: 'guard closed' });
      assert.equal(await page.$('[data-testid="confirm-delete-account"]'), null);

      await page.click('#delete-account');
      await H.waitForBanner(page, (x) => x?.guard, { message: 'guard again' });
      await sleep(600);
      await H.clickBanner(page, 'proceed');
      await page.waitForSelector('[data-testid="confirm-delete-account"]', { timeout: 5000 });
    });
  } finally {
    await setSettings({ guardMode: 'warn' });
  }
  const ev = H.events(sb);
  assert.ok(ev.some((e) => e.type === 'guard.cancelled' && e.rule_id === 'chatgpt.delete-account'));
  assert.ok(ev.some((e) => e.type === 'warning.proceeded' && e.detail?.mode === 'confirm'));
});

test('the popup lists this page\'s warnings and the host status', async () => {
  await withPage('https://platform.openai.com/api-keys', async (page) => {
    await H.waitForBanner(page);
    const popup = await H.triggerAction(browser, page);
    const state = await H.waitFor(() => popup.evaluate(() => {
      const s = document.getElementById('host-status').dataset.state;
      return s === 'unknown' ? false : { s, rules: [...document.querySelectorAll('#warnings [data-rule]')].map((li) => li.dataset.rule) };
    }), { message: 'popup status' });
    assert.equal(state.s, 'connected');
    assert.deepEqual(state.rules, ['platform.revoke-key']);
    assert.ok(await popup.$('#snapshot'));
  });
});

test('every warning shown, escalated, dismissed and proceeded is in the host event log', async () => {
  // Events share the one native port with snapshot uploads, so the last ones may still be queued:
  // the checks are retried until they hold or 20 s pass.
  const check = (ev) => {
    const shown = new Set(ev.filter((e) => e.type === 'warning.shown').map((e) => e.rule_id));
    for (const [, rule] of expected) assert.ok(shown.has(rule), `no warning.shown for ${rule}`);
    assert.ok(shown.has('privacy.delete-account-request'));
    const escalated = new Set(ev.filter((e) => e.type === 'warning.escalated').map((e) => e.rule_id));
    for (const r of ['chatgpt.delete-account', 'privacy.delete-account-request', 'platform.revoke-key', 'sora.delete-account']) assert.ok(escalated.has(r), `no escalation for ${r}`);
    assert.ok(ev.some((e) => e.type === 'warning.dismissed' && e.rule_id === 'platform.revoke-key'), 'no dismissal');
    assert.ok(ev.some((e) => e.type === 'warning.proceeded' && e.detail?.mode === 'warn'), 'no proceeded (warn)');
    for (const e of ev.filter((x) => x.type.startsWith('warning.'))) {
      assert.match(e.url, /^https:\/\/(chatgpt\.com|[a-z]+\.openai\.com|sora\.com|sora\.chatgpt\.com)\//);
      assert.ok(!Number.isNaN(Date.parse(e.at)), e.at);
    }
    // The escalation records which confirmation the dialog asks for.
    const esc = ev.find((e) => e.type === 'warning.escalated' && e.rule_id === 'chatgpt.delete-account');
    assert.deepEqual([...esc.detail.confirm].sort(), ['email', 'type-word']);
    // No warning at all for the benign pages.
    const wrong = ev.filter((e) => e.type.startsWith('warning.') && /playground|explore|DataControls|General|\/c\/6750a$/.test(e.url));
    assert.deepEqual(wrong, [], 'warnings on benign pages');
  };
  let last;
  const ok = await H.waitFor(() => { try { check(H.events(sb)); return true; } catch (e) { last = e; return false; } },
    { timeout: 20_000, interval: 250, message: 'the event log' }).catch(() => false);
  if (!ok) throw last;
});

test('without the host, warnings still show and the popup explains the fix', async () => {
  const bare = H.makeSandbox('nohost');
  const b2 = await H.launchChromium({ sandbox: bare, server: srv, register: false });
  try {
    await H.extensionWorker(b2);
    const page = await H.openPage(b2, 'https://chatgpt.com/#settings/Account');
    await H.waitForBanner(page, (b) => b?.rule === 'chatgpt.delete-account');
    const popup = await H.triggerAction(b2, page);
    const info = await H.waitFor(() => popup.evaluate(() => {
      const s = document.getElementById('host-status');
      return s.dataset.state === 'unknown' ? false : { state: s.dataset.state, text: document.body.innerText };
    }), { message: 'popup host state' });
    assert.equal(info.state, 'not_installed');
    assert.ok(info.text.includes('ringfence install'), info.text);
    assert.match(info.text, /\d+ logged warnings are kept until then/);
    await popup.close();
    // Once the host is installed, the queued warning events reach its log: none was lost.
    H.registerHost(bare, 'chromium');
    const again = await H.triggerAction(b2, page);
    await H.waitFor(() => again.evaluate(() => document.getElementById('host-status').dataset.state === 'connected'), { message: 'connected after install' });
    const ev = await H.waitFor(() => { const e = H.events(bare); return e.some((x) => x.type === 'warning.shown') ? e : false; }, { message: 'queued events flushed' });
    assert.ok(ev.some((e) => e.type === 'warning.shown' && e.rule_id === 'chatgpt.delete-account' && e.url === 'https://chatgpt.com/#settings/Account'));
  } finally {
    await b2.close();
    bare.cleanup();
  }
});

test('the banner is personalised from the host\'s identity.summary', async () => {
  // A fresh profile and store (the suite's store already holds snapshots from other tests): one real
  // snapshot whose settings.json lists 4 API keys, stored through the real host and protocol.
  const own = H.makeSandbox('identity');
  const b3 = await H.launchChromium({ sandbox: own, server: srv });
  try {
  const worker = await H.extensionWorker(b3);
  const { createHash } = await import('node:crypto');
  const settings = JSON.stringify({ api_keys: ['a', 'b', 'c', 'd'].map((n) => ({ name: `key-${n}`, prefix: `sk-...${n}` })) });
  const sha = createHash('sha256').update(settings).digest('hex');
  const seenAt = '2026-11-20T09:00:00.000Z';
  const reply = await worker.evaluate(async (body, digest, at) => {
    const port = chrome.runtime.connectNative('io.ringfence.host');
    const ask = (id, type, b) => new Promise((resolve, reject) => {
      const on = (m) => { if (m.id === id && m.ok !== undefined) { port.onMessage.removeListener(on); m.ok ? resolve(m.body) : reject(new Error(JSON.stringify(m.error))); } };
      port.onMessage.addListener(on);
      port.postMessage({ id, type, body: b });
    });
    try {
      const begin = await ask('b', 'snapshot.begin', {
        meta: { url: 'https://platform.openai.com/api-keys', final_url: 'https://platform.openai.com/api-keys', title: 'API keys',
          captured_at: at, tz_offset_minutes: 0, trigger: 'button', browser: 'Chromium', browser_version: '156',
          extension_version: '0.1.0', viewport: { width: 1280, height: 900 }, device_pixel_ratio: 1, language: 'en-US',
          category: 'api_dashboard', category_source: 'auto', redactions: [], notes: {} },
        artifacts: [{ name: 'settings.json', mime: 'application/json', size: body.length, sha256: digest }],
      });
      await ask('c', 'snapshot.chunk', { upload_id: begin.upload_id, artifact: 'settings.json', offset: 0, data: btoa(body) });
      return await ask('d', 'snapshot.commit', { upload_id: begin.upload_id });
    } finally { port.disconnect(); }
  }, settings, sha, seenAt);
  assert.ok(reply.snapshot_id, JSON.stringify(reply));
  const page = await H.openPage(b3, 'https://chatgpt.com/#settings/Account');
  const b = await H.waitForBanner(page, (x) => x?.text?.includes('API keys seen on'), { message: 'personalised banner' });
  assert.match(b.text, /The 4 API keys seen on Nov 20, 2026 will stop working\./);
  } finally {
    await b3.close();
    own.cleanup();
  }
});

test('dark mode and reduced motion are honoured', async () => {
  await withPage('https://platform.openai.com/api-keys', async (page) => {
    const style = async () => {
      const cdp = await page.createCDPSession();
      try {
        await cdp.send('DOM.enable');
        await cdp.send('CSS.enable');
        const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
        const stack = [root];
        let card;
        while (stack.length && !card) {
          const n = stack.pop();
          const attrs = n.attributes ?? [];
          if (n.nodeName === 'SECTION' && attrs[attrs.indexOf('class') + 1]?.includes('card')) card = n;
          stack.push(...(n.children ?? []), ...(n.shadowRoots ?? []));
        }
        const { computedStyle } = await cdp.send('CSS.getComputedStyleForNode', { nodeId: card.nodeId });
        return Object.fromEntries(computedStyle.filter((p) => ['background-color', 'animation-name'].includes(p.name)).map((p) => [p.name, p.value]));
      } finally { await cdp.detach(); }
    };
    await H.waitForBanner(page);
    const light = await style();
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }, { name: 'prefers-reduced-motion', value: 'reduce' }]);
    await sleep(100);
    const dark = await style();
    assert.equal(light['animation-name'], 'rf-in');
    assert.equal(dark['animation-name'], 'none');
    assert.notEqual(dark['background-color'], light['background-color']);
    const lum = (c) => c.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0);
    assert.ok(lum(dark['background-color']) < lum(light['background-color']) / 2, JSON.stringify({ light, dark }));
  });
});

test('the options page saves the guard mode the content script then uses', async () => {
  const opts = await H.openPage(browser, `chrome-extension://${H.EXT_ID}/options.html`);
  try {
    await opts.waitForSelector('input[name="guardMode"][value="confirm"]');
    assert.equal(await opts.$eval('input[name="guardMode"]:checked', (e) => e.value), 'warn', 'warn is the default');
    assert.equal(await opts.$$eval('input[name="lang"]', (l) => l.length), 13);
    assert.deepEqual(await opts.$$eval('input[name="group"]', (l) => l.map((e) => e.value)), ['chatgpt', 'privacy', 'platform', 'sora', 'auth']);
    assert.ok(await opts.$('#capture-settings'));
    await opts.click('input[name="guardMode"][value="confirm"]');
    await H.waitFor(() => worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.guardMode === 'confirm'), { message: 'saved' });
    await withPage('https://sora.com/settings', async (page) => {
      await H.waitForBanner(page);
      await page.click('#delete-account');
      await H.waitForBanner(page, (b) => b?.guard?.rule === 'sora.delete-account', { message: 'guard from the options setting' });
      await H.clickBanner(page, 'cancel');
    });
    await opts.click('input[name="group"][value="sora"]'); // switch the Sora rules off
    await opts.click('input[name="guardMode"][value="warn"]');
    await H.waitFor(() => worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.groups?.sora === false), { message: 'group saved' });
    await withPage('https://sora.com/settings', async (page) => {
      await sleep(1200);
      assert.ok(await H.contentScriptRan(page));
      assert.equal(await H.readBanner(page), null, 'the switched-off group still warned');
    });
  } finally {
    await setSettings({ guardMode: 'warn', groups: { chatgpt: true, privacy: true, platform: true, sora: true, auth: true } });
    await opts.close();
  }
});

test('the banner speaks the browser\'s language (_locales de, fr, es, ja)', async () => {
  const want = {
    de: ['Damit löschen Sie Ihr gesamtes OpenAI-Konto', 'Vorher Schnappschuss speichern', 'Ausblenden'],
    fr: ['Ceci supprime tout votre compte OpenAI', "Faire d'abord une capture", 'Masquer'],
    es: ['Esto elimina toda tu cuenta de OpenAI', 'Guardar antes una captura', 'Ocultar'],
    ja: ['OpenAI アカウント全体を削除します', '先にスナップショットを保存', '閉じる'],
  };
  for (const [lang, phrases] of Object.entries(want)) {
    const own = H.makeSandbox(`lang-${lang}`);
    const b4 = await H.launchChromium({ sandbox: own, server: srv, lang, register: false });
    try {
      const page = await H.openPage(b4, `https://chatgpt.com/?hl=${lang}#settings/Account`);
      const b = await H.waitForBanner(page, (x) => x?.rule === 'chatgpt.delete-account', { message: `banner (${lang})` });
      for (const p of phrases) assert.ok(b.text.includes(p), `${lang}: "${p}" not in ${b.text}`);
    } finally {
      await b4.close();
      own.cleanup();
    }
  }
});
