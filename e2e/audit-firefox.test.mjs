// The guided audit in real Firefox ESR (dist/firefox, the real host): a loopback page (as the
// dashboard's Run audit link) opens the extension's audit page by a click — WebDriver BiDi cannot
// navigate to moz-extension:// itself — and Start walks every page of fixtures/audit in one tab;
// the billing page, redirected to auth.openai.com's login, and the limits page, which shows a login
// form on its own URL (state 3: an expired session), are skipped and never stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import * as A from './lib/audit.mjs';

H.requireTools({ firefox: true });
const AUDIT_URL = `${H.FIREFOX_EXT_ORIGIN}/audit.html`;

let sb, srv, browser, lb;
before(async () => {
  sb = H.makeSandbox('audit-fx');
  srv = await A.startAuditServer();
  lb = await A.startLoopbackPage(AUDIT_URL);
  browser = await H.launchFirefox({ sandbox: sb, server: srv });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  await lb?.close();
  sb?.cleanup();
});

const cli = (args) => H.cliOk(sb, args);

test('Firefox: a loopback page opens the audit page by a link click; an audit runs to the end with the sign-in pages skipped', async () => {
  srv.setState(3);
  const page = await H.openPage(browser, lb.url);
  await page.click('#go');
  // page.url() is not updated for moz-extension:// documents over BiDi: ask the document.
  await H.waitFor(() => page.evaluate(() => location.href === document.URL && location.href).then((u) => u === AUDIT_URL), { timeout: 15_000, message: 'the audit page' });
  await page.waitForSelector('body[data-status]');
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(JSON.parse(cli(['audits', '--json'])), [], 'opening the audit page began an audit');

  const r = await A.runAudit(page);
  assert.equal(r.status, 'completed', r.message);
  assert.deepEqual(r.steps.map((s) => `${s.step}${s.project ? `:${s.project}` : ''}`), A.EXPECTED_STEPS);
  const signedOut = ['platform.billing', 'platform.limits'];
  for (const s of r.steps) assert.equal(s.status, signedOut.includes(s.step) ? 'skipped' : 'captured', JSON.stringify(s));
  assert.deepEqual(r.skipped.map((s) => [s.step, s.status]), signedOut.map((id) => [id, 'skipped']));
  assert.equal(r.identity.shared, 'true');

  const sum = JSON.parse(cli(['audit', 'show', 'latest', '--json']));
  const s = sum.audit ?? sum;
  assert.equal(s.audit_id, r.auditId);
  assert.equal(s.status, 'completed');
  const limits = s.steps.find((x) => x.step_id === 'platform.limits');
  assert.equal(limits.final_url, 'https://platform.openai.com/settings/organization/limits');
  assert.match(limits.reason ?? '', /login form/, JSON.stringify(limits));
  const snaps = JSON.parse(cli(['list', '--json']));
  assert.equal(snaps.filter((x) => x.trigger === 'audit').length, A.EXPECTED_STEPS.length - signedOut.length);
  for (const x of snaps) {
    const m = JSON.parse(cli(['show', x.id, '--json']));
    const meta = m.snapshot ?? m;
    assert.equal(meta.browser, 'Firefox');
    assert.ok(!/auth\.openai\.com|billing|limits/.test(`${meta.url} ${meta.final_url}`), `a sign-in page was stored: ${meta.url} → ${meta.final_url}`);
  }
});
