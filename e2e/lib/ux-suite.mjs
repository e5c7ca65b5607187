// The surfaces people touch, in one real browser (ux.test.mjs: Chromium, ux-firefox.test.mjs:
// Firefox): the banner never covers the page's controls or dialog titles at 1366×768, 1280×800 and
// 1024×768 on every fixture page with a warning; role status/alert; actions per rule; Dismiss and
// the 30-day snooze (an event, honoured, undone from the options page); the click guard as a real
// modal, keyboard only; popup and options; axe-core (no serious or critical violation). Screenshots
// of every surface go to out/ux/<browser>/.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as H from './harness.mjs';
import * as U from './ux.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const VIEWPORTS = [[1366, 768], [1280, 800], [1024, 768]];

/** Every site's rules (spec/sites/<identity>/rules.json), as one list. */
export function loadRules() {
  const dir = path.join(H.ROOT, 'spec', 'sites');
  const rules = [];
  for (const site of readdirSync(dir)) {
    const f = path.join(dir, site, 'rules.json');
    if (statSync(f, { throwIfNoEntry: false })?.isFile()) rules.push(...JSON.parse(readFileSync(f, 'utf8')).rules);
  }
  if (!rules.length) throw new Error(`no rules under ${dir}`);
  return { rules };
}

// Every fixture page with a warning; `escalate` opens its confirmation step, `dialog` selects it.
export const PAGES = [
  { slug: 'chatgpt-account', url: 'https://chatgpt.com/#settings/Account', rule: 'chatgpt.delete-account', escalate: '#delete-account', dialog: '[data-testid="confirm-delete-account"]' },
  { slug: 'chatgpt-account-de', url: 'https://chatgpt.com/?hl=de#settings/Account', rule: 'chatgpt.delete-account' },
  { slug: 'chatgpt-account-ja', url: 'https://chatgpt.com/?hl=ja#settings/Account', rule: 'chatgpt.delete-account' },
  { slug: 'platform-api-keys', url: 'https://platform.openai.com/api-keys', rule: 'platform.revoke-key', escalate: '#revoke-1', dialog: '[role=dialog]' },
  { slug: 'platform-project', url: 'https://platform.openai.com/settings/proj_abc123/general', rule: 'platform.archive-project' },
  { slug: 'platform-organization', url: 'https://platform.openai.com/settings/organization/general', rule: 'platform.organization' },
  { slug: 'sora-settings', url: 'https://sora.com/settings', rule: 'sora.delete-account', escalate: '#delete-account', dialog: '[role=alertdialog]' },
  { slug: 'sora-chatgpt-settings-ja', url: 'https://sora.chatgpt.com/settings?hl=ja', rule: 'sora.delete-account' },
  { slug: 'privacy-request', url: 'https://privacy.openai.com/policies', rule: 'privacy.delete-account-request', open: '#make-request', escalate: '#opt-delete', dialog: '#delete-form' },
  { slug: 'auth-deleted', url: 'https://auth.openai.com/log-in', rule: 'auth.account-deleted' },
  { slug: 'auth-deleted-ja', url: 'https://auth.openai.com/log-in?hl=ja', rule: 'auth.account-deleted' },
];

/**
 * part 'placement': the banner on every warning page at three viewports; 'nohost': the popup and
 * banner without a host (a second browser); 'surfaces': the rest. Three files per browser, so each
 * stays well inside the runner's per-file time limit on a loaded machine.
 */
export function defineSuite(kind, part) {
  const partOf = (name) => (name.startsWith(`${kind}: the banner covers`) ? 'placement' : name.startsWith(`${kind}: without the host`) ? 'nohost' : 'surfaces');
  const test = (name, fn) => { if (partOf(name) === part) nodeTest(name, fn); };
  H.requireTools({ firefox: kind === 'firefox' });
  let sb, srv, browser, worker;
  const shots = [];
  const rules = loadRules();
  const ruleById = Object.fromEntries(rules.rules.map((r) => [r.id, r]));

  before(async () => {
    sb = H.makeSandbox(`ux-${kind}`);
    srv = await H.startFixtureServer();
    browser = kind === 'firefox' ? await H.launchFirefox({ sandbox: sb, server: srv }) : await H.launchChromium({ sandbox: sb, server: srv });
    if (kind === 'chromium') worker = await H.extensionWorker(browser);
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    sb?.cleanup();
    if (shots.length) console.log(`screenshots (${kind}):\n  ${shots.join('\n  ')}`);
  });

  async function withPage(url, fn, viewport = VIEWPORTS[0]) {
    const page = await browser.newPage();
    await page.setViewport({ width: viewport[0], height: viewport[1] });
    await page.goto(url, { waitUntil: 'load' });
    try { return await fn(page); } finally { await page.close(); }
  }
  const shot = async (page, name, opts) => { shots.push(await U.shot(page, kind, name, opts)); };

  /** Waits until the banner shows the rule at the level and stays put for two passes. */
  async function settled(page, pred, message) {
    let last = '';
    return H.waitFor(async () => {
      const s = await U.bannerState(page);
      if (!s || !pred(s) || !s.box) { last = ''; return false; }
      const key = JSON.stringify(s.box);
      const same = key === last;
      last = key;
      if (!same) await sleep(300);
      return same ? s : false;
    }, { timeout: 12_000, interval: 50, message });
  }

  async function checkPlacement(page, p, level, name) {
    for (const [w, h] of VIEWPORTS) {
      await page.setViewport({ width: w, height: h });
      const s = await settled(page, (x) => x.rule === p.rule && x.level === level, `${p.rule} (${level}) at ${w}×${h}`);
      const obstacles = await U.pageObstacles(page);
      if (level === 'dialog') {
        const d = await page.$eval(p.dialog, (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });
        obstacles.push({ what: `the confirmation dialog ${p.dialog}`, ...d });
      }
      const hit = U.intersecting(s.box, obstacles);
      await shot(page, `${name}-${w}x${h}`);
      assert.deepEqual(hit, [], `${kind} ${p.url} ${level} at ${w}×${h}: the banner ${JSON.stringify(s.box)} covers ${JSON.stringify(hit)}`);
      assert.ok(s.box.left >= 0 && s.box.top >= 0 && s.box.right <= w && s.box.bottom <= h, `the banner leaves the viewport: ${JSON.stringify(s.box)}`);
      assert.equal(s.role, level === 'dialog' ? 'alert' : 'status', `role at level ${level}`);
      const at = await H.elementAtBannerCentre(page);
      assert.equal(at.tag, 'RINGFENCE-WARNING', 'the banner is on top');
    }
  }

  for (const p of PAGES) {
    test(`${kind}: the banner covers no control or dialog title on ${p.url}${p.escalate ? ', nor on its confirmation' : ''}`, async () => {
      await withPage(p.url, async (page) => {
        if (p.open) { await page.click(p.open); }
        await checkPlacement(page, p, p.rule.startsWith('auth.') ? 'page' : 'control', p.slug);
        // The actions are the rule's own, then Dismiss and the 30-day snooze.
        const s = await U.bannerState(page);
        assert.deepEqual(s.allActions.filter((a) => !['details', 'dismiss', 'snooze', 'options'].includes(a)), ruleById[p.rule].actions, `actions of ${p.rule}`);
        assert.ok(s.allActions.includes('dismiss') && s.allActions.includes('snooze'), JSON.stringify(s.allActions));
        if (p.escalate) {
          await page.setViewport({ width: VIEWPORTS[0][0], height: VIEWPORTS[0][1] });
          await page.click(p.escalate);
          await checkPlacement(page, p, 'dialog', `${p.slug}-confirm`);
        }
      });
    });
  }

  test(`${kind}: every rule lists its actions, and only actions that fit`, () => {
    for (const r of rules.rules) {
      assert.ok(Array.isArray(r.actions) && r.actions.length > 0, `${r.id} has no actions`);
      if (r.id.startsWith('auth.') || r.id.startsWith('platform.')) assert.ok(!r.actions.includes('export'), `${r.id} offers a ChatGPT data export`);
    }
    assert.ok(ruleById['auth.account-deleted'].actions.includes('help'), 'the deleted-account page offers the help page');
  });

  test(`${kind}: on a small viewport the banner is one line; details expand and collapse`, async () => {
    await withPage('https://chatgpt.com/#settings/Account', async (page) => {
      const s = await settled(page, (x) => x.rule === 'chatgpt.delete-account', 'banner');
      assert.equal(s.expanded, false, 'collapsed at 1024×768');
      assert.ok(s.box.height <= 64, `one line: ${s.box.height}px high`);
      assert.equal(s.toggle?.expanded, 'false');
      assert.ok(!s.visibleText.includes('API access'), 'the losses are in the collapsed details');
      await H.clickBanner(page, 'details');
      const open = await H.waitFor(async () => { const x = await U.bannerState(page); return x?.expanded ? x : false; }, { message: 'expanded' });
      assert.equal(open.toggle.expanded, 'true');
      assert.ok(open.visibleText.includes('API access'), open.visibleText);
      await shot(page, 'banner-expanded-1024x768');
      await H.clickBanner(page, 'details');
      await H.waitFor(async () => (await U.bannerState(page))?.expanded === false, { message: 'collapsed again' });
    }, [1024, 768]);
  });

  test(`${kind}: Dismiss lasts this visit, and the confirmation step still escalates`, async () => {
    await withPage('https://sora.com/settings', async (page) => {
      await settled(page, (x) => x.rule === 'sora.delete-account', 'banner');
      await H.clickBanner(page, 'dismiss');
      await H.waitFor(async () => !(await U.bannerState(page))?.rule, { message: 'dismissed' });
      await page.click('#delete-account');
      const s = await settled(page, (x) => x.level === 'dialog', 'escalation after dismiss');
      assert.equal(s.role, 'alert');
    });
    await withPage('https://sora.com/settings', (page) => settled(page, (x) => x.rule === 'sora.delete-account', 'back on the next visit'));
  });

  test(`${kind}: "Don't warn me about this for 30 days" is recorded, honoured, escalates anyway, and is undone from the options page`, async () => {
    const started = Date.now();
    await withPage('https://platform.openai.com/settings/organization/general', async (page) => {
      await settled(page, (x) => x.rule === 'platform.organization', 'banner');
      await H.clickBanner(page, 'details');
      await H.waitFor(async () => (await U.bannerState(page))?.actions.includes('snooze'), { message: 'snooze visible' });
      await H.clickBanner(page, 'snooze');
      await H.waitFor(async () => !(await U.bannerState(page))?.rule, { message: 'snoozed banner gone' });
    });
    const ev = await H.waitFor(() => H.events(sb).find((e) => e.type === 'warning.snoozed' && e.rule_id === 'platform.organization'), { message: 'warning.snoozed event' });
    const until = Date.parse(ev.detail.until);
    assert.ok(Math.abs(until - started - 30 * 86_400_000) < 600_000, `snoozed until ${ev.detail.until}`);
    // Honoured on the next visit...
    await withPage('https://platform.openai.com/settings/organization/general', async (page) => {
      await sleep(1500);
      if (kind === 'chromium') assert.ok(await H.contentScriptRan(page));
      assert.equal((await U.bannerState(page))?.rule ?? null, null, 'a snoozed warning came back');
    });
    // ...other rules still warn, and a snoozed rule still escalates on its confirmation step.
    await withPage('https://platform.openai.com/api-keys', async (page) => {
      await settled(page, (x) => x.rule === 'platform.revoke-key', 'another rule');
      await H.clickBanner(page, 'details');
      await H.waitFor(async () => (await U.bannerState(page))?.actions.includes('snooze'), { message: 'snooze visible' });
      await H.clickBanner(page, 'snooze');
      await H.waitFor(async () => !(await U.bannerState(page))?.rule, { message: 'snoozed banner gone' });
      await page.click('#revoke-2');
      await settled(page, (x) => x.rule === 'platform.revoke-key' && x.level === 'dialog', 'escalation of a snoozed rule');
    });
    // Undo from the options page.
    const opts = await openOptions();
    try {
      await opts.waitForSelector('#snoozed [data-rule="platform.organization"]');
      const label = await opts.$eval('#snoozed [data-rule="platform.organization"]', (b) => b.getAttribute('aria-label') || b.textContent);
      assert.ok(label.length > 8, label);
      await shot(opts, 'options-snoozed', { fullPage: true });
      for (const rule of ['platform.organization', 'platform.revoke-key']) {
        await opts.click(`#snoozed [data-rule="${rule}"]`);
        await H.waitFor(() => opts.$(`#snoozed [data-rule="${rule}"]`).then((x) => !x), { message: `snooze of ${rule} removed` });
      }
    } finally { await opts.close(); }
    await H.waitFor(() => H.events(sb).some((e) => e.type === 'warning.unsnoozed' && e.rule_id === 'platform.organization'), { message: 'warning.unsnoozed event' });
    await withPage('https://platform.openai.com/settings/organization/general', (page) => settled(page, (x) => x.rule === 'platform.organization', 'warns again'));
  });

  async function setGuard(mode) {
    const opts = await openOptions();
    try {
      await opts.waitForSelector(`input[name="guardMode"][value="${mode}"]`);
      await opts.click(`input[name="guardMode"][value="${mode}"]`);
      await sleep(300);
    } finally { await opts.close(); }
  }

  // Dark mode through the protocol: CDP emulates prefers-color-scheme; Firefox's WebDriver BiDi
  // cannot, so there the dark checks run in Chromium only.
  const dark = async (page) => {
    if (kind !== 'chromium') return false;
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    return true;
  };

  const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

  test(`${kind}: the click guard is a modal dialog, keyboard only`, async () => {
    await setGuard('confirm');
    try {
      await withPage('https://chatgpt.com/#settings/Account', async (page) => {
        await settled(page, (x) => x.rule === 'chatgpt.delete-account', 'banner');
        // Keyboard only: Tab to the page's "Delete" and press Enter.
        let reached = false;
        for (let i = 0; i < 40 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = (await activeId(page)) === 'delete-account';
        }
        assert.ok(reached, 'Tab reaches the page\'s Delete button');
        const openGuard = async () => {
          await page.keyboard.press('Enter');
          return H.waitFor(async () => { const s = await U.bannerState(page); return s?.guard && s.focus?.inGuard ? s : false; }, { message: 'guard open with focus inside' });
        };
        let s = await openGuard();
        assert.equal(s.guard.role, 'dialog');
        assert.equal(s.guard.modal, 'true');
        assert.ok(s.guard.title && s.guard.title.length > 5, `labelled by its title: ${s.guard.title}`);
        assert.equal(s.focus.action, 'cancel', 'focus starts on "Go back"');
        if (s.box) assert.deepEqual(U.intersecting(s.guard.box, [{ what: 'banner', ...s.box }]), [], 'the guard overlaps the banner');
        assert.equal(await page.evaluate(() => document.body.inert), true, 'the page behind is inert');
        await shot(page, 'click-guard-1366x768');
        assert.deepEqual(await U.axe(page, { banner: true }), [], 'axe on the click guard');
        // Focus never leaves the dialog, forwards or backwards.
        for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
          if (key === 'Shift+Tab') { await page.keyboard.down('Shift'); await page.keyboard.press('Tab'); await page.keyboard.up('Shift'); } else await page.keyboard.press('Tab');
          const f = (await U.bannerState(page)).focus;
          assert.ok(f?.inGuard, `${key} left the guard: ${JSON.stringify(f)}`);
          assert.equal(await page.evaluate(() => document.activeElement?.localName), 'ringfence-warning');
        }
        // A click on the page behind does nothing.
        await page.mouse.click(5, 5);
        assert.ok((await U.bannerState(page)).guard, 'a click outside closed the guard');
        // Escape: closed, focus back on the page's button, nothing went through.
        await page.keyboard.press('Escape');
        await H.waitFor(async () => !(await U.bannerState(page))?.guard, { message: 'Escape closes' });
        assert.equal(await activeId(page), 'delete-account', 'Escape returns focus');
        assert.equal(await page.evaluate(() => document.body.inert), false, 'the page is interactive again');
        assert.equal(await page.$('[data-testid="confirm-delete-account"]'), null);
        // "Go back" (focused first): the same.
        s = await openGuard();
        await page.keyboard.press('Enter');
        await H.waitFor(async () => !(await U.bannerState(page))?.guard, { message: '"Go back" closes' });
        assert.equal(await activeId(page), 'delete-account', '"Go back" returns focus');
        // Continue anyway: inert for 500 ms, then the click goes through.
        s = await openGuard();
        await sleep(700);
        for (let i = 0; i < 5 && (await U.bannerState(page)).focus?.action !== 'proceed'; i++) await page.keyboard.press('Tab');
        assert.equal((await U.bannerState(page)).focus?.action, 'proceed');
        await page.keyboard.press('Enter');
        await page.waitForSelector('[data-testid="confirm-delete-account"]', { timeout: 5000 });
      }, [1366, 768]);
    } finally {
      await setGuard('warn');
    }
    const ev = H.events(sb);
    assert.ok(ev.some((e) => e.type === 'guard.cancelled' && e.rule_id === 'chatgpt.delete-account'));
    assert.ok(ev.some((e) => e.type === 'warning.proceeded' && e.detail?.mode === 'confirm'));
  });

  test(`${kind}: axe-core finds no serious or critical problem in the banner (collapsed, expanded, escalated)`, async () => {
    await withPage('https://platform.openai.com/api-keys', async (page) => {
      await settled(page, (x) => x.rule === 'platform.revoke-key', 'banner');
      assert.deepEqual(await U.axe(page, { banner: true }), [], 'collapsed');
      await H.clickBanner(page, 'details');
      await H.waitFor(async () => (await U.bannerState(page))?.expanded, { message: 'expanded' });
      assert.deepEqual(await U.axe(page, { banner: true }), [], 'expanded');
      await page.click('#revoke-1');
      await settled(page, (x) => x.level === 'dialog', 'escalated');
      assert.deepEqual(await U.axe(page, { banner: true }), [], 'escalated');
      await shot(page, 'banner-escalated');
      if (await dark(page)) {
        await sleep(200);
        assert.deepEqual(await U.axe(page, { banner: true }), [], 'dark');
        await shot(page, 'banner-escalated-dark');
      }
    }, [1366, 768]);
  });

  // ---- popup and options ----------------------------------------------------------------------

  let fxOptions = null;
  /** The options page: Chromium navigates to it; Firefox opens it from the banner's own link. */
  async function openOptions() {
    if (kind === 'chromium') return H.openPage(browser, `chrome-extension://${H.EXT_ID}/options.html`);
    const page = await browser.newPage();
    await page.goto('https://sora.com/settings', { waitUntil: 'load' });
    await settled(page, (x) => x.rule === 'sora.delete-account', 'banner for the options link');
    await H.clickBanner(page, 'details');
    await H.waitFor(async () => (await U.bannerState(page))?.actions.includes('options'), { message: 'options link visible' });
    const before = new Set((await browser.connection.send('browsingContext.getTree', {})).result.contexts.map((c) => c.context));
    await H.clickBanner(page, 'options');
    const ctx = await H.waitFor(async () => (await browser.connection.send('browsingContext.getTree', {})).result.contexts
      .find((c) => !before.has(c.context) && c.url.includes('/options.html'))?.context, { message: 'the options tab' });
    await page.close();
    const opts = (await browser.pages()).find((p) => p.mainFrame()._id === ctx);
    await opts.waitForSelector('#form');
    fxOptions = opts;
    return opts;
  }

  /** The popup for a page: Chromium's toolbar action; Firefox: popup.html in a popup window. */
  async function openPopup(page) {
    if (kind === 'chromium') return H.triggerAction(browser, page);
    const opts = await openOptions();
    await page.bringToFront();
    const popup = await U.openExtensionPage(browser, opts, 'popup.html', { window: true });
    await opts.close();
    return popup;
  }

  test(`${kind}: the popup: one host line, this page's warnings, snapshots that open`, async () => {
    await withPage('https://platform.openai.com/api-keys', async (page) => {
      await settled(page, (x) => x.rule === 'platform.revoke-key', 'banner');
      const popup = await openPopup(page);
      try {
      if (kind === 'firefox') await popup.setViewport({ width: 380, height: 600 });
      const st = await H.waitFor(() => popup.evaluate(() => {
        const s = document.getElementById('host-status');
        return s.dataset.state === 'unknown' ? false : { state: s.dataset.state, text: s.textContent, body: document.body.innerText,
          fixHidden: document.getElementById('host-fix').hidden, rules: [...document.querySelectorAll('#warnings [data-rule]')].map((li) => li.dataset.rule) };
      }), { message: 'popup status' });
      assert.equal(st.state, 'connected');
      assert.equal(st.fixHidden, true);
      assert.ok(!/wait for the host/.test(st.body), st.body);
      assert.deepEqual(st.rules, ['platform.revoke-key']);
      // Snapshot from the popup: progress, then the new entry, which opens.
      await popup.click('#snapshot');
      const done = await H.waitFor(() => popup.$eval('#progress', (el) => ['done', 'failed'].includes(el.dataset.state) && [el.dataset.state, el.textContent]), { timeout: 30_000, message: 'snapshot done' });
      assert.equal(done[0], 'done', done[1]);
      const id = await H.waitFor(() => popup.$eval('#snapshots li[data-id] [data-open]', (b) => b.closest('li').dataset.id).catch(() => null), { message: 'snapshot entry' });
      await popup.click(`#snapshots li[data-id="${id}"] [data-open]`);
      const opened = await H.waitFor(() => popup.evaluate((sid) => {
        const d = document.querySelector(`#snapshots li[data-id="${sid}"] .details`);
        return d && !d.hidden ? d.innerText : false;
      }, id), { message: 'snapshot details' });
      assert.ok(opened.includes(id) && opened.includes('platform.openai.com'), opened);
      const overflow = await popup.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
      assert.equal(overflow, false, 'the popup scrolls sideways');
      await shot(popup, 'popup', { fullPage: kind === 'firefox' });
      assert.deepEqual(await U.axe(popup), [], 'axe on the popup');
      if (await dark(popup)) {
        await shot(popup, 'popup-dark', { fullPage: kind === 'firefox' });
        assert.deepEqual(await U.axe(popup), [], 'axe on the dark popup');
      }
      } finally { await popup.close(); }
    });
  });

  test(`${kind}: the options page: grouped, named languages, a validated export folder, what is stored`, async () => {
    const opts = await openOptions();
    try {
      await opts.setViewport({ width: 1024, height: 900 });
      await opts.waitForSelector('#data-dir:not(:empty)');
      const info = await opts.evaluate(() => ({
        languages: [...document.querySelectorAll('input[name="lang"]')].map((c) => ({ value: c.value, label: c.closest('label').innerText.trim(), lang: c.closest('label').querySelector('[lang]')?.lang })),
        sections: [...document.querySelectorAll('main section h2')].map((h) => h.textContent.trim()),
        dataDir: document.getElementById('data-dir').textContent, size: document.getElementById('data-size').textContent,
      }));
      assert.equal(info.languages.length, 13);
      const byLang = Object.fromEntries(info.languages.map((l) => [l.value, l]));
      assert.ok(byLang.de.label.includes('Deutsch') && byLang.ja.label.includes('日本語') && byLang.fr.label.includes('Français'), JSON.stringify(byLang));
      assert.equal(byLang.ja.lang, 'ja');
      assert.ok(info.sections.length >= 4, JSON.stringify(info.sections));
      assert.equal(info.dataDir, sb.data, 'the data folder');
      assert.match(info.size, /\d/);
      // A relative path is refused with a message, an absolute one saved.
      const retype = async (text) => {
        await opts.focus('#export-dir');
        await opts.$eval('#export-dir', (i) => i.select());
        await opts.keyboard.press('Backspace');
        await opts.keyboard.type(text);
      };
      await retype('Documents/kits');
      await opts.keyboard.press('Tab');
      await H.waitFor(() => opts.$eval('#export-dir', (i) => i.getAttribute('aria-invalid') === 'true'), { message: 'invalid path flagged' });
      assert.ok((await opts.$eval('#export-dir-error', (e) => !e.hidden && e.textContent)).length > 5);
      await retype(sb.home);
      await opts.keyboard.press('Tab');
      await H.waitFor(() => opts.$eval('#export-dir', (i) => i.getAttribute('aria-invalid') === 'false' || [i.value, i.getAttribute('aria-invalid')]), { message: 'valid path accepted' });
      await H.waitFor(() => opts.evaluate(async () => ((await (globalThis.browser ?? chrome).storage.local.get('settings')).settings ?? {}).exportDir), { message: 'export folder saved' })
        .then((saved) => assert.equal(saved, sb.home));
      // Distinct accessible names for every button.
      const names = await opts.$$eval('button', (bs) => bs.filter((b) => b.offsetParent).map((b) => b.getAttribute('aria-label') || b.textContent.trim()));
      assert.equal(new Set(names).size, names.length, `duplicate button names: ${names}`);
      await shot(opts, 'options', { fullPage: true });
      assert.deepEqual(await U.axe(opts), [], 'axe on the options page');
      if (await dark(opts)) {
        await sleep(100);
        const bg = await opts.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
        const lum = bg.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0);
        assert.ok(lum < 200, `dark background: ${bg}`);
        await shot(opts, 'options-dark', { fullPage: true });
        assert.deepEqual(await U.axe(opts), [], 'axe on the dark options page');
      }
    } finally { await opts.close(); }
  });

  test(`${kind}: without the host the popup shows one state with one fix, and "Snapshot first" says why nothing was stored`, async () => {
    const bare = H.makeSandbox(`ux-nohost-${kind}`);
    const b2 = kind === 'firefox' ? await H.launchFirefox({ sandbox: bare, server: srv, register: false }) : await H.launchChromium({ sandbox: bare, server: srv, register: false });
    const saved = browser;
    browser = b2;
    try {
      const page = await b2.newPage();
      await page.setViewport({ width: 1366, height: 768 });
      await page.goto('https://platform.openai.com/settings/proj_abc123/general', { waitUntil: 'load' });
      await settled(page, (x) => x.rule === 'platform.archive-project', 'banner');
      await H.clickBanner(page, 'snapshot');
      // First "Capturing…", then the outcome.
      const note = await H.waitFor(async () => { const n = (await U.bannerState(page))?.note; return n && /host/i.test(n) ? n : false; }, { message: 'banner feedback about the host' });
      assert.ok(!/Specified native messaging host|No such native application|`/.test(note), note);
      await shot(page, 'banner-snapshot-no-host');
      const popup = await openPopup(page);
      if (kind === 'firefox') await popup.setViewport({ width: 380, height: 600 });
      const info = await H.waitFor(() => popup.evaluate(() => {
        const s = document.getElementById('host-status');
        return s.dataset.state === 'unknown' ? false : { state: s.dataset.state, body: document.body.innerText, fixes: document.querySelectorAll('#host-fix code').length };
      }), { message: 'popup host state' });
      assert.equal(info.state, 'not_installed');
      assert.equal(info.fixes, 1, 'one fix');
      assert.ok(info.body.includes('ringfence install'), info.body);
      assert.ok(!/Specified native messaging host|No such native application|`/.test(info.body), info.body);
      assert.equal(info.body.split(/not installed|nicht installiert/i).length - 1 <= 1, true, 'the problem is stated once');
      await shot(popup, 'popup-no-host', { fullPage: kind === 'firefox' });
      assert.deepEqual(await U.axe(popup), [], 'axe on the popup without host');
      await popup.close();
    } finally {
      browser = saved;
      await b2.close();
      bare.cleanup();
    }
  });
}
