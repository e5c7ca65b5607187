// The dialog list the content script keeps from MutationObserver records (src/content/dialogs.ts)
// must always be what a fresh query of the document gives, in the same order, whatever the page
// does: open, close, re-role, nest, move and remove dialogs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import { DialogTracker } from '../src/content/dialogs';
import { DIALOG_SCOPE } from '../src/content/rules/match';

test('DialogTracker follows the page from its mutation records, in query order', async () => {
  const win = new Window({ url: 'https://chatgpt.com/' });
  const doc = win.document as unknown as Document;
  doc.body.innerHTML = '<main id="thread"><p>hi</p></main><div role="dialog" id="a"><h2>A</h2></div>';
  const fresh = (): string[] => {
    // What scan's own query gives: dialog[open] first, then [role="dialog"], then [role="alertdialog"].
    const out: Element[] = [];
    for (const sel of DIALOG_SCOPE.split(',')) for (const el of Array.from(doc.querySelectorAll(sel))) if (!out.includes(el)) out.push(el);
    return out.map((e) => e.id);
  };
  const tracker = new DialogTracker(doc);
  let records: MutationRecord[] = [];
  const mo = new (win.MutationObserver as unknown as typeof MutationObserver)((rs) => { records.push(...rs); });
  mo.observe(doc, { childList: true, subtree: true, attributes: true, attributeFilter: ['open', 'role', 'aria-label', 'hidden'] });
  assert.deepEqual(tracker.update([]).map((e) => e.id), ['a'], 'the first update queries the document');
  const steps: [string, () => void][] = [
    ['a nested alertdialog and a <dialog open> added', () => {
      const wrap = doc.createElement('section');
      wrap.innerHTML = '<div role="alertdialog" id="b"><dialog open id="c"></dialog></div>';
      doc.getElementById('thread')!.append(wrap);
    }],
    ['a dialog closed by its open attribute', () => doc.getElementById('c')!.removeAttribute('open')],
    ['a div given the dialog role', () => doc.querySelector('p')!.setAttribute('role', 'dialog')],
    ['the dialog role taken away', () => doc.getElementById('a')!.setAttribute('role', 'region')],
    ['a subtree holding a dialog removed', () => doc.getElementById('b')!.parentElement!.remove()],
    ['a dialog moved before another', () => {
      const d = doc.createElement('div');
      d.id = 'd';
      d.setAttribute('role', 'dialog');
      doc.body.append(d);
      doc.body.prepend(d);
    }],
    ['text changes only', () => { doc.getElementById('thread')!.append(doc.createElement('span')); }],
  ];
  let prev = tracker.update([]);
  for (const [what, step] of steps) {
    step();
    await new Promise((r) => setTimeout(r, 0));
    const got = tracker.update(records);
    records = [];
    assert.deepEqual(got.map((e) => e.id), fresh(), what);
    if (what === 'text changes only') assert.equal(got, prev, 'unchanged: the same list (the banner keeps its measurements)');
    prev = got;
  }
  assert.deepEqual(tracker.update(null).map((e) => e.id), fresh(), 'null (too many records) queries again');
  mo.disconnect();
  await win.happyDOM.close();
});
