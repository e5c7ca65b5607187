// The guided weekly audit in real headless Chromium (issue 17, docs/audit.md): the production
// extension and the real bin/ringfence, fixture pages at the real hostnames (fixtures/audit). Run
// audit in the popup opens the audit page; Start walks every page in one tab; the billing page,
// which redirects to auth.openai.com's login, is skipped and never stored. Between audit 1 and
// audit 2 the fixture server plants three changes; the audit page, `ringfence audit show latest
// --json` and the dashboard's audit page must name exactly those. Then Stop, a restarted service
// worker and Resume; the reminder's alarm and badge; and who may open the audit page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';
import * as A from './lib/audit.mjs';
import * as U from './lib/ux.mjs';

H.requireTools();
const AUDIT_URL = `chrome-extension://${H.EXT_ID}/audit.html`;
const OUT = path.join(H.ROOT, 'out', 'audit');

let sb, srv, browser, auditPage;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  sb = H.makeSandbox('audit');
  srv = await A.startAuditServer();
  browser = await H.launchChromium({ sandbox: sb, server: srv });
  await H.extensionWorker(browser);
});
after(async () => {
  await browser?.close();
  await srv?.close();
  if (sb) H.stopDashboard(sb);
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);
const audits = () => JSON.parse(cli(['audits', '--json']));
const stepKey = (s) => `${s.step ?? s.step_id}${s.project ? `:${s.project}` : ''}`;

/** The extension's service worker that answers now (after a restart the old target may linger). */
async function liveWorker() {
  let waker = null;
  try {
    return await H.waitFor(async () => {
      for (const t of browser.targets().filter((x) => x.type() === 'service_worker' && x.url().startsWith(`chrome-extension://${H.EXT_ID}/`))) {
        const w = await t.worker().catch(() => null);
        if (w && await Promise.race([w.evaluate(() => 1).catch(() => 0), new Promise((r) => setTimeout(() => r(0), 1000))]) === 1) return w;
      }
      // None answers (Chromium stops an idle worker): a message from an extension page starts it.
      if (!waker) {
        waker = await browser.newPage();
        await waker.goto(`chrome-extension://${H.EXT_ID}/popup.html`).catch(() => {});
      }
      return null;
    }, { timeout: 20_000, message: "the extension's service worker" });
  } finally {
    await waker?.close().catch(() => {});
  }
}

/** A new tab opened by `click`, as a puppeteer page. */
async function newTab(click, pred) {
  const before = new Set(browser.targets());
  await click();
  const target = await browser.waitForTarget((t) => !before.has(t) && t.type() === 'page' && pred(t.url()), { timeout: 20_000 });
  return target.asPage();
}

test('audit 1: Run audit in the popup opens the audit page, which starts nothing by itself; Start walks every page', async () => {
  const start = await H.openPage(browser, 'https://chatgpt.com/');
  const popup = await H.triggerAction(browser, start);
  await popup.waitForSelector('#audit');
  auditPage = await newTab(() => popup.click('#audit'), (u) => u === AUDIT_URL);
  await auditPage.waitForSelector('body[data-status]');
  await start.close();
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(audits(), [], 'opening the audit page began an audit');
  const idle = await A.readAuditPage(auditPage);
  assert.equal(idle.status, 'none');
  assert.equal(idle.startDisabled, false);

  const r = await A.runAudit(auditPage);
  assert.equal(r.status, 'completed', r.message);
  assert.deepEqual(r.steps.map(stepKey), A.EXPECTED_STEPS);
  for (const s of r.steps) assert.equal(s.status, s.step === 'platform.billing' ? 'skipped' : 'captured', JSON.stringify(s));
  assert.match(r.screenshots, /without screenshots/i, 'says that this audit ran without screenshots');
  assert.ok(r.summaryShown);
  assert.deepEqual(r.changes, [], 'the first audit has nothing to compare with');
  assert.match(r.changesNone, /Nothing to compare/);
  assert.deepEqual(r.skipped.map((s) => [s.step, s.status]), [['platform.billing', 'skipped']]);
  assert.ok(r.skipped[0].text.includes('https://auth.openai.com/log-in'), r.skipped[0].text);
  assert.equal(r.identity.shared, 'true');
  assert.ok(r.identity.text.includes('jane@example.com'), r.identity.text);
  // The audit's tab is closed at the end and the audit page is shown again.
  const open = (await browser.pages()).map((p) => p.url());
  assert.ok(!open.some((u) => /openai\.com|chatgpt\.com/.test(u)), `tabs left open: ${open}`);
  assert.equal(await auditPage.evaluate(() => document.visibilityState), 'visible');
});

test('audit 2 after the planted changes: the page names exactly the key, the switch, the custom instructions and the skipped page', async () => {
  srv.setState(2);
  const r = await A.runAudit(auditPage);
  assert.equal(r.status, 'completed', r.message);
  assert.deepEqual(r.steps.map(stepKey), A.EXPECTED_STEPS);
  const kinds = r.changes.map((c) => `${c.kind} ${c.step}`).sort();
  assert.deepEqual(kinds, ['key-added platform.project-api-keys', 'setting chatgpt.data-controls', 'setting chatgpt.personalization'], JSON.stringify(r.changes, null, 1));
  const key = r.changes.find((c) => c.kind === 'key-added').text;
  for (const want of ['ci-deploy', 'sk-proj-...Q7xz', 'proj_beta2']) assert.ok(key.includes(want), `${want} in ${key}`);
  const sw = r.changes.find((c) => c.step === 'chatgpt.data-controls').text;
  assert.ok(sw.includes('Improve the model for everyone: On → Off'), sw);
  const ci = r.changes.find((c) => c.step === 'chatgpt.personalization').text;
  assert.ok(ci.includes('Custom instructions') && ci.includes('Answer briefly.') && ci.includes('Answer briefly, in German.'), ci);
  assert.deepEqual(r.skipped.map((s) => [s.step, s.status]), [['platform.billing', 'skipped']]);
  assert.equal(r.identity.shared, 'true');
  // Actions first, the high ones on top; the new key and the switch are among them.
  assert.ok(r.actions.length >= 3, JSON.stringify(r.actions));
  const sev = r.actions.map((a) => a.severity);
  assert.deepEqual(sev, [...sev].sort((a, b) => (a === b ? 0 : a === 'high' ? -1 : 1)));
  assert.ok(r.actions.some((a) => a.severity === 'high' && a.text.includes('ci-deploy')), JSON.stringify(r.actions));
  assert.ok(r.actions.some((a) => a.severity === 'high' && a.step === 'chatgpt.data-controls'), JSON.stringify(r.actions));
  await auditPage.setViewport({ width: 1024, height: 900 });
  await auditPage.screenshot({ path: path.join(OUT, 'summary.png'), fullPage: true });
  assert.deepEqual(await U.axe(auditPage), [], 'axe on the audit page');
  auditPage.summary2 = r;
});

test('`ringfence audit show latest --json` (same data folder) agrees with the audit page', () => {
  const page = auditPage.summary2;
  const s = JSON.parse(cli(['audit', 'show', 'latest', '--json']));
  const sum = s.audit ?? s;
  assert.equal(sum.audit_id, page.auditId);
  assert.equal(sum.status, 'completed');
  assert.deepEqual(sum.steps.map((x) => stepKey(x)), A.EXPECTED_STEPS);
  const c = sum.changes;
  assert.deepEqual(c.keys_added.map((k) => [k.name, k.prefix, k.project, k.step_id]), [['ci-deploy', 'sk-proj-...Q7xz', 'proj_beta2', 'platform.project-api-keys']]);
  assert.deepEqual(c.keys_removed, []);
  assert.deepEqual(c.settings.map((x) => [x.step_id, x.label]).sort(), [['chatgpt.data-controls', 'Improve the model for everyone'], ['chatgpt.personalization', 'Custom instructions']]);
  assert.deepEqual(c.account, []);
  assert.deepEqual(c.failed.map((x) => [x.step_id, x.status, x.final_url]), [['platform.billing', 'skipped', 'https://auth.openai.com/log-in']]);
  assert.equal(sum.identity.shared, true);
  assert.deepEqual(sum.identity.emails, ['jane@example.com']);
  assert.equal(sum.actions.length, page.actions.length);
  const list = audits();
  assert.equal(list.length, 2);
  assert.ok(list.every((a) => a.status === 'completed'), JSON.stringify(list));
});

test('the stored rows: every captured page is a snapshot with trigger audit; the sign-in page never is', () => {
  const snaps = JSON.parse(cli(['list', '--json']));
  const ids = new Set(snaps.map((s) => s.id));
  for (const a of audits()) {
    const sum = JSON.parse(cli(['audit', 'show', a.audit_id ?? a.id, '--json']));
    for (const st of (sum.audit ?? sum).steps) {
      if (st.status === 'captured') assert.ok(ids.has(st.snapshot_id), `${st.step_id}: ${st.snapshot_id} is not stored`);
      else assert.equal(st.snapshot_id ?? '', '', `${st.step_id} (${st.status}) has a snapshot`);
    }
  }
  const audit = snaps.filter((s) => s.trigger === 'audit');
  assert.equal(audit.length, 2 * (A.EXPECTED_STEPS.length - 1), `${audit.length} audit snapshots`);
  for (const s of snaps) {
    const meta = JSON.parse(cli(['show', s.id, '--json']));
    const m = meta.snapshot ?? meta;
    assert.ok(!/auth\.openai\.com|billing/.test(`${m.url} ${m.final_url}`), `a sign-in page was stored: ${m.url} → ${m.final_url}`);
    assert.match(m.notes.screenshot ?? '', /audit ran without the screenshot permission/, JSON.stringify(m.notes));
  }
});

test("the dashboard's audit page shows the changes; its Run audit link opens the audit page (web-accessible to loopback)", async () => {
  const dash = await newTab(() => auditPage.click('#open-dashboard'), (u) => u.startsWith('http://127.0.0.1:'));
  const id = auditPage.summary2.auditId;
  await H.waitFor(() => dash.url().endsWith(`#audit/${id}`), { message: `the dashboard at #audit/${id}; at ${dash.url()}` });
  await dash.waitForSelector(`[data-audit="${id}"] [data-audit-changes] [data-change-kind]`, { timeout: 15_000 });
  const rows = await dash.$$eval('[data-audit-changes] [data-change-kind]', (els) => els.map((e) => ({
    kind: e.dataset.changeKind, label: e.dataset.changeLabel ?? '', prefix: e.dataset.keyPrefix ?? '',
    from: e.querySelector('.change-from')?.textContent ?? '', to: e.querySelector('.change-to')?.textContent ?? '' })));
  const byKind = (k) => rows.filter((r) => r.kind === k);
  assert.deepEqual(byKind('key-added').map((r) => r.prefix), ['sk-proj-...Q7xz'], JSON.stringify(rows));
  assert.deepEqual(byKind('setting').map((r) => r.label).sort(), ['Custom instructions', 'Improve the model for everyone'], JSON.stringify(rows));
  assert.deepEqual(byKind('setting').filter((r) => r.label === 'Improve the model for everyone').map((r) => [r.from, r.to]), [['On', 'Off']]);
  assert.deepEqual(byKind('key-removed').concat(byKind('account'), byKind('notice')), []);
  assert.equal(await dash.$eval('[data-audit-identity]', (e) => e.dataset.identityShared), '1');
  const skipped = await dash.$$eval('[data-audit-steps] [data-step-status="skipped"]', (els) => els.map((e) => e.dataset.stepId));
  assert.deepEqual(skipped, ['platform.billing']);

  // The Run audit link: the extension's audit page, opened from the loopback page by a click.
  await dash.goto(`${new URL(dash.url()).origin}/#audits`);
  const link = await dash.waitForSelector('a[data-run-audit][data-audit-page-known="1"]', { timeout: 10_000 });
  assert.equal(await link.evaluate((a) => a.href), AUDIT_URL);
  const fromDash = await newTab(() => link.click(), (u) => u === AUDIT_URL);
  await fromDash.waitForSelector('body[data-status]');
  const st = await A.readAuditPage(fromDash);
  assert.equal(st.startDisabled, false, 'the audit page works when opened from the dashboard');
  assert.equal(audits().length, 2, 'opening it began nothing');
  await fromDash.close();
  await dash.close();
});

test('who may open the audit page: a loopback page by a link click, not a site; framed it refuses to start', async () => {
  const lb = await A.startLoopbackPage(AUDIT_URL);
  try {
    const page = await H.openPage(browser, lb.url);
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.click('#go')]);
    assert.equal(page.url(), AUDIT_URL);
    await page.waitForSelector('body[data-status]');
    assert.equal((await A.readAuditPage(page)).startDisabled, false);
    await page.close();

    const framed = await H.openPage(browser, `${lb.url}frame`);
    const frame = await H.waitFor(() => framed.frames().find((f) => f.url() === AUDIT_URL), { message: 'the framed audit page' });
    await frame.waitForSelector('body[data-status]');
    const f = await frame.evaluate(() => ({ disabled: document.getElementById('start').disabled, text: document.getElementById('screenshots').textContent }));
    assert.equal(f.disabled, true, 'Start works inside a frame');
    assert.match(f.text, /own tab/);
    await framed.close();

    // A site (not loopback) cannot open it: Chromium blocks the navigation.
    const site = await H.openPage(browser, 'https://chatgpt.com/');
    await site.evaluate((u) => { const a = document.createElement('a'); a.id = 'go'; a.href = u; a.textContent = 'go'; document.body.prepend(a); }, AUDIT_URL);
    await site.click('#go');
    await new Promise((r) => setTimeout(r, 1500));
    // An error page may not answer an evaluation at all: bounded.
    const reached = await Promise.race([site.evaluate(() => !!document.getElementById('start')).catch(() => false),
      new Promise((r) => setTimeout(() => r(false), 3000))]);
    assert.equal(reached, false, `a site opened the audit page (${site.url()})`);
    assert.notEqual(site.url(), AUDIT_URL);
    await site.close();
    assert.equal(audits().length, 2);
  } finally {
    await lb.close();
  }
});

test('Stop ends after the current page; after the service worker restarts, Resume continues the same audit', async () => {
  await auditPage.bringToFront();
  const want = await auditPage.$('#want-screenshots');
  if (await want.evaluate((el) => el.checked)) await want.click();
  await auditPage.click('#start');
  // Running first: until then the page still shows the finished audit 2.
  await H.waitFor(() => auditPage.evaluate(() => document.body.dataset.status === 'running'), { timeout: 15_000, message: 'the audit to start' });
  await H.waitFor(async () => (await A.readAuditPage(auditPage)).steps.filter((s) => s.status === 'captured').length >= 2, { timeout: 60_000, message: 'two pages captured' });
  await auditPage.bringToFront();
  await auditPage.click('#stop');
  const paused = await H.waitFor(async () => { const r = await A.readAuditPage(auditPage); return r.status === 'paused' && r; }, { timeout: 30_000, message: 'paused' });
  const done = paused.steps.filter((s) => s.status !== 'pending').length;
  assert.ok(done >= 2 && done < A.EXPECTED_STEPS.length, `stopped after ${done} pages`);
  assert.match(paused.message, /Paused after/);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal((await A.readAuditPage(auditPage)).steps.filter((s) => s.status !== 'pending').length, done, 'it went on after Stop');
  const running = audits()[0];
  assert.equal(running.status, 'running');
  // Resume, then the browser stops the extension's service worker in the middle of a page (as it
  // may at any time); the run is in storage.local, so the reloaded page offers Resume again.
  await auditPage.click('#resume');
  await H.waitFor(() => auditPage.evaluate(() => document.body.dataset.status === 'running'), { timeout: 15_000, message: 'resumed' });
  await H.waitFor(async () => (await A.readAuditPage(auditPage)).steps.filter((s) => s.status === 'captured').length >= done + 1, { timeout: 60_000, message: 'a page after Resume' });
  const worker = await liveWorker();
  await worker.close();
  await auditPage.bringToFront();
  await auditPage.reload();
  await auditPage.waitForSelector('#resume:not([hidden])', { timeout: 15_000 });
  const interrupted = await A.readAuditPage(auditPage);
  assert.equal(interrupted.status, 'paused', 'an interrupted run is offered for Resume');
  const r = await A.runAudit(auditPage, { button: '#resume' });
  assert.equal(r.status, 'completed', r.message);
  assert.deepEqual(r.steps.map(stepKey), A.EXPECTED_STEPS);
  const sum = JSON.parse(cli(['audit', 'show', 'latest', '--json']));
  const s = sum.audit ?? sum;
  assert.equal(s.audit_id, running.audit_id ?? running.id, 'Resume continued the same audit');
  assert.equal(s.steps.length, A.EXPECTED_STEPS.length, 'no page reported twice');
  assert.deepEqual([...s.changes.keys_added, ...s.changes.keys_removed, ...s.changes.settings, ...s.changes.account], [], 'nothing changed since audit 2');
  assert.deepEqual(r.changes, []);
  assert.match(r.changesNone, /Nothing changed/);
});

test('the reminder: the alarm rings when the audit is due, the badge and the popup say so; off clears it', async () => {
  const worker = await liveWorker();
  const read = () => worker.evaluate(async () => ({ text: await chrome.action.getBadgeText({}), alarm: (await chrome.alarms.get('ringfence-audit'))?.scheduledTime ?? null }));
  const now = await worker.evaluate(() => Date.now());
  const before = await read();
  assert.equal(before.text, '', 'an audit just finished: nothing is due');
  assert.ok(before.alarm > now + 6 * 86400e3, `the next alarm is a week away: ${before.alarm}`);
  // The last audit ends up seven days ago, less three seconds: the alarm is set for then.
  await worker.evaluate(async () => {
    const { auditLast } = await chrome.storage.local.get('auditLast');
    await chrome.storage.local.set({ auditLast: { ...auditLast, at: Date.now() - 7 * 86400e3 + 3000 } });
  });
  const set = await H.waitFor(async () => { const r = await read(); return r.alarm && r.alarm < now + 60e3 && r; }, { message: 'the alarm rescheduled' });
  assert.equal(set.text, '', 'not due yet');
  const due = await H.waitFor(async () => { const r = await read(); return r.text && r; }, { timeout: 20_000, message: 'the badge once the alarm rang' });
  assert.equal(due.text, 'due');
  // On a page without warnings the badge shows (a tab's own empty text does not hide it).
  const page = await H.openPage(browser, 'https://platform.openai.com/settings/organization/limits');
  await new Promise((r) => setTimeout(r, 800));
  const tabId = await worker.evaluate(async () => (await chrome.tabs.query({ url: 'https://platform.openai.com/*' }))[0]?.id);
  assert.equal(await worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId), 'due');
  const popup = await H.triggerAction(browser, page);
  const line = await popup.waitForSelector('#audit-due:not([hidden])', { timeout: 10_000 });
  assert.equal(await line.evaluate((e) => e.textContent), 'Audit due');
  await popup.close();

  const opts = await H.openPage(browser, `chrome-extension://${H.EXT_ID}/options.html`);
  await opts.waitForSelector('#audit-interval');
  assert.equal(await opts.$eval('#audit-interval', (s) => s.value), '7', 'weekly by default');
  await H.waitFor(() => opts.$eval('#audit-next', (e) => e.dataset.due === 'true'), { message: 'options say due' });
  await opts.select('#audit-interval', '0');
  await H.waitFor(async () => (await read()).text === '', { message: 'the badge cleared when the reminder is off' });
  assert.equal((await read()).alarm, null);
  await H.waitFor(() => opts.$eval('#audit-next', (e) => e.textContent === 'The reminder is off.'), { message: 'options say off' });
  await opts.close();
  await page.close();
});
