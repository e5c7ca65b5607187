// The audit runner's look at a page (src/background/audit-probe.ts) on happy-dom pages: the ready
// selector, DOM quiet within the time budget, links to projects, and what counts as a login form
// (the look-alike safety net besides the sign-in URLs: such a page is skipped, never captured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import { probePage } from '../src/background/audit-probe';

/** A page as the probe sees it: its globals are the page's (as inside executeScript). */
function at(url: string, html: string): Window {
  const win = new Window({ url });
  win.document.write(`<!doctype html><html><head></head><body>${html}</body></html>`);
  // happy-dom lays nothing out: every element is "shown" unless hidden by style.
  win.HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
    return { width: 100, height: 20, x: 0, y: 0, top: 0, left: 0, right: 100, bottom: 20, toJSON() {} } as DOMRect;
  } as never;
  const g = globalThis as Record<string, unknown>;
  g.document = win.document;
  g.location = win.location;
  g.getComputedStyle = win.getComputedStyle.bind(win);
  g.MutationObserver = win.MutationObserver;
  return win;
}

test('an e-mail and a password field in one form is a login form', async () => {
  at('https://platform.openai.com/settings/organization/billing/overview',
    '<form><label>Email <input type="email" name="username"></label><label>Password <input type="password"></label><button>Continue</button></form>');
  const p = await probePage('', 50, 2000);
  assert.equal(p.login, true);
});

test('a change-password form, a lone password confirmation and a hidden login form are not', async () => {
  for (const html of [
    '<form><input type="password" name="current"><input type="password" name="new"><input type="password" name="repeat"><button>Change</button></form>',
    '<div role="dialog"><p>Confirm with your password</p><input type="password"><button>Confirm</button></div>',
    '<form style="display:none"><input type="email"><input type="password"></form><h1>API keys</h1>',
    '<h1>Account</h1><dl><dt>Email</dt><dd>jane@example.com</dd></dl>',
  ]) {
    at('https://chatgpt.com/#settings/Security', html);
    const p = await probePage('', 50, 2000);
    assert.equal(p.login, false, html);
  }
});

test('waits for the ready selector, then for the DOM to be quiet', async () => {
  const win = at('https://chatgpt.com/#settings/Account', '<main></main>');
  const t0 = Date.now();
  win.setTimeout(() => {
    const d = win.document.createElement('div');
    d.setAttribute('role', 'dialog');
    win.document.body.append(d);
  }, 150);
  const p = await probePage('[role=dialog]', 100, 3000);
  assert.equal(p.ready, true);
  assert.equal(p.quiet, true);
  assert.ok(Date.now() - t0 >= 250, 'returned before the dialog and the quiet time');
});

test('a page that never settles ends at the time budget, saying so', async () => {
  const win = at('https://platform.openai.com/settings/organization/limits', '<p id="n">0</p>');
  const timer = win.setInterval(() => { win.document.getElementById('n')!.textContent = String(Date.now()); }, 20);
  const t0 = Date.now();
  const p = await probePage('[role=dialog]', 300, 800);
  win.clearInterval(timer);
  assert.equal(p.ready, false);
  assert.equal(p.quiet, false);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});

test('links to projects are collected as absolute URLs', async () => {
  at('https://platform.openai.com/settings/organization/projects',
    '<a href="/settings/proj_alpha1/api-keys">Alpha</a><a href="/settings/organization/general">Org</a><a href="https://platform.openai.com/settings/proj_beta2">Beta</a>');
  const p = await probePage('', 20, 1000);
  assert.deepEqual(p.hrefs, ['https://platform.openai.com/settings/proj_alpha1/api-keys', 'https://platform.openai.com/settings/proj_beta2']);
  assert.equal(p.url, 'https://platform.openai.com/settings/organization/projects');
});
