// The content script (src/content/index.ts) on a happy-dom page, with a stand-in for the extension
// messaging API that records what it would send to the background. Pins down how often a page can
// make it report an escalation: a dialog removed and re-added, or a hash change around it, is not a
// new escalation and not a new automatic snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import { platformKeys } from './fixtures';
import { EscalationLimit } from '../src/content/escalation';
import { AutoDedupe } from '../src/background/dedupe';

test('EscalationLimit: once per rule until the user acts or the window passes', () => {
  let now = 1_000;
  const l = new EscalationLimit(60_000, () => now);
  assert.equal(l.take('a'), true);
  assert.equal(l.take('a'), false);
  assert.equal(l.take('b'), true, 'rules are counted apart');
  now += 59_999;
  assert.equal(l.take('a'), false);
  now += 1;
  assert.equal(l.take('a'), true, 'a minute later it is news again');
  assert.equal(l.take('a'), false);
  l.reset('a');
  assert.equal(l.take('a'), true, 'after a dismissal or proceed it is news again');
});

test('AutoDedupe: one automatic snapshot per tab and rule a minute, whatever the URL', () => {
  let now = 0;
  const d = new AutoDedupe(60_000, () => now);
  assert.equal(d.get(1, 'r'), undefined);
  d.remember(1, 'r', 'snap-1');
  assert.equal(d.get(1, 'r'), 'snap-1');
  assert.equal(d.get(1, 'other'), undefined, 'another rule is other evidence');
  assert.equal(d.get(2, 'r'), undefined, 'another tab is other evidence');
  now = 59_999;
  assert.equal(d.get(1, 'r'), 'snap-1');
  now = 60_000;
  assert.equal(d.get(1, 'r'), undefined);
});

const sent: Record<string, unknown>[] = [];
const win = new Window({ url: 'https://platform.openai.com/api-keys' });
win.document.write(`<!doctype html><html><head></head><body>${platformKeys(false)}</body></html>`);
const g = globalThis as Record<string, unknown>;
for (const k of ['document', 'location', 'MutationObserver', 'Element', 'HTMLElement', 'Node', 'getComputedStyle', 'ShadowRoot']) {
  g[k] = (win as unknown as Record<string, unknown>)[k];
}
g.window = win;
g.requestAnimationFrame = (f: () => void) => setTimeout(f, 0);
// With the Navigation API the script needs no URL polling timer (which would keep the test alive).
g.navigation = new EventTarget();
g.chrome = {
  runtime: { sendMessage: async (m: Record<string, unknown>) => { sent.push(m); return undefined; } },
  storage: { local: { get: async () => ({}) }, onChanged: { addListener() {} } },
  i18n: { getMessage: () => '', getUILanguage: () => 'en' },
};

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 700));
const escalations = (): number => sent.filter((m) => m.type === 'event' && m.event === 'warning.escalated').length;
const autoSnapshots = (): number => sent.filter((m) => m.type === 'snapshot' && m.trigger === 'auto').length;

test('a confirm dialog the page removes and re-adds, across hash changes, escalates once', async () => {
  await import('../src/content/index');
  await settle();
  assert.ok(sent.some((m) => m.type === 'event' && m.event === 'warning.shown' && m.ruleId === 'platform.revoke-key'), JSON.stringify(sent));
  const dialog = (): Element => {
    const d = win.document.createElement('div');
    d.innerHTML = platformKeys(true).slice(platformKeys(false).length);
    return d.firstElementChild as unknown as Element;
  };
  for (let i = 0; i < 4; i++) {
    const d = dialog();
    win.document.body.append(d as never);
    await settle();
    assert.equal(escalations(), 1, `escalations after the dialog was added ${i + 1} times`);
    d.remove();
    await settle();
    if (i % 2 === 1) {
      win.location.hash = `#step${i}`;
      win.dispatchEvent(new win.Event('hashchange'));
      await settle();
    }
  }
  assert.equal(autoSnapshots(), 1, 'one automatic snapshot');
  const snap = sent.find((m) => m.type === 'snapshot');
  assert.equal(snap?.reason, 'platform.revoke-key', 'the snapshot request names the rule it is for');
  await win.happyDOM.abort();
  win.close();
});
