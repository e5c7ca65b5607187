// Shared by the audit e2e files (audit.test.mjs: Chromium, audit-firefox.test.mjs): the fixture
// server for e2e/fixtures/audit with its state switch and the billing page's redirect to sign-in,
// a plain-HTTP loopback page linking to the extension's audit page, and readers of the audit page.
import http from 'node:http';
import path from 'node:path';
import * as H from './harness.mjs';

export const FIXTURES = path.join(H.ROOT, 'e2e', 'fixtures', 'audit');

/** The fixture server; `server.setState(2)` plants the changes (fixtures/audit/README.md). */
export async function startAuditServer() {
  let state = 1;
  const handle = (req, res, { host, url }) => {
    if (url.pathname === '/__fixture/state') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ state }));
      return true;
    }
    // Signed out of the platform's billing: the real site sends the browser to its login.
    if (host === 'platform.openai.com' && url.pathname.startsWith('/settings/organization/billing')) {
      res.writeHead(302, { location: 'https://auth.openai.com/log-in' }).end();
      return true;
    }
    return false;
  };
  const srv = await H.startFixtureServer({ root: FIXTURES, handle });
  srv.setState = (s) => { state = s; };
  return srv;
}

/** http://127.0.0.1:PORT/ : a link (and, at /frame, an iframe) to `target`, like the dashboard's Run audit. */
export async function startLoopbackPage(target) {
  const server = http.createServer((req, res) => {
    const body = req.url === '/frame'
      ? `<!doctype html><title>frame</title><iframe id="f" src="${target}" width="800" height="600"></iframe>`
      : `<!doctype html><title>loopback</title><a id="go" href="${target}">Run audit</a>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => {
    server.close(r);
    server.closeAllConnections(); // the browser keeps its connection alive: close would wait for it
  }) };
}

/** What the audit page shows: its state, the pages with their status, and the summary. */
export function readAuditPage(page) {
  return page.evaluate(() => {
    const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const items = (sel) => [...document.querySelectorAll(sel)].filter((li) => !li.classList.contains('none'));
    return {
      status: document.body.dataset.status,
      progress: text(document.getElementById('progress-text')),
      message: text(document.getElementById('message')),
      screenshots: text(document.getElementById('screenshots')),
      steps: [...document.querySelectorAll('#steps li')].map((li) => ({ step: li.dataset.step, project: li.dataset.project ?? '', status: li.dataset.status, text: text(li) })),
      summaryShown: !document.getElementById('summary').hidden,
      auditId: document.getElementById('summary').dataset.auditId ?? '',
      actions: items('#actions li').map((li) => ({ severity: li.dataset.severity, step: li.dataset.step ?? '', text: text(li) })),
      changes: items('#changes li').map((li) => ({ kind: li.dataset.kind, step: li.dataset.step ?? '', text: text(li) })),
      changesNone: text(document.querySelector('#changes li.none')),
      skipped: items('#skipped li').map((li) => ({ step: li.dataset.step, status: li.dataset.status, text: text(li) })),
      identity: { shared: document.getElementById('identity').dataset.shared, text: text(document.getElementById('identity')) },
      startDisabled: document.getElementById('start').disabled,
    };
  });
}

/** Clicks Start (without screenshots: a headless browser cannot answer the permission prompt) and
 * waits for the end of the audit. */
export async function runAudit(page, { button = '#start', timeout = 180_000 } = {}) {
  await page.waitForSelector('body[data-status]'); // drawn: Start is enabled only then
  const want = await page.$('#want-screenshots');
  if (await want.evaluate((el) => el.checked && !el.disabled)) await want.click();
  await page.click(button);
  await H.waitFor(() => page.evaluate(() => document.body.dataset.status === 'running'), { timeout: 15_000, message: 'the audit to start' });
  await H.waitFor(() => page.evaluate(() => ['completed', 'paused', 'abandoned'].includes(document.body.dataset.status)), { timeout, message: 'the audit to end' });
  return readAuditPage(page);
}

/** The pages every audit of the fixtures opens, in order (spec/audit.json with the two projects). */
export const EXPECTED_STEPS = [
  'chatgpt.account', 'chatgpt.data-controls', 'chatgpt.personalization', 'chatgpt.security', 'chatgpt.connected-apps',
  'platform.projects', 'platform.api-keys', 'platform.project-api-keys:proj_alpha1', 'platform.project-api-keys:proj_beta2',
  'platform.members', 'platform.billing', 'platform.limits', 'privacy.portal',
];
