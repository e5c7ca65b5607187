// What the banner must not cover, measured in the page: the controls a user can reach (inside the
// top modal dialog when there is one, since its backdrop covers the rest) and every open dialog's
// title are hard obstacles; open dialogs not under that backdrop are soft ones (covered only when
// nothing else fits), except the confirmation dialog a warning escalated on, which is hard.
import type { Box } from './placement';

const CONTROLS = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [role=tab], '
  + '[role=menuitem], [role=radio], [role=checkbox], [role=switch], [role=option], [contenteditable=""], [contenteditable=true]';
const DIALOGS = 'dialog[open], [role=dialog], [role=alertdialog]';
/** More than this many controls in view: the rest are not measured (the pass stays cheap). */
const MAX_CONTROLS = 400;
const PAD = 4;

export interface Obstacles {
  hard: Box[];
  soft: Box[];
  /** Every element whose box was read, and those of them in view. */
  read: Element[];
  inView: Element[];
  /** The controls were looked for in the whole document (no modal dialog). */
  wholeDocument: boolean;
}

/** Whether an element added to the page may be (or hold) a control the banner must not cover. */
export function mayHoldControl(el: Element): boolean {
  return el.matches(CONTROLS) || (el.firstElementChild !== null && el.querySelector(CONTROLS) !== null);
}

function box(el: Element, vw: number, vh: number): Box | null {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) return null;
  return { left: r.left - PAD, top: r.top - PAD, right: r.right + PAD, bottom: r.bottom + PAD };
}

/**
 * `known` is the document's dialogs when the caller keeps them (content/dialogs.ts), in any order;
 * without it they are queried.
 */
export function collectObstacles(doc: Document, anchor: Element | null, matched: Element[], own: Element | null,
  view: { width: number; height: number }, known?: Element[]): Obstacles {
  const vw = view.width;
  const vh = view.height;
  const hard: Box[] = [];
  const soft: Box[] = [];
  const read: Element[] = [];
  const inView: Element[] = [];
  const push = (list: Box[], el: Element): void => {
    if (own && (el === own || own.contains(el))) return;
    read.push(el);
    const b = box(el, vw, vh);
    if (b) { list.push(b); inView.push(el); }
  };
  const all = known
    ? [...known].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))
    : Array.from(doc.querySelectorAll(DIALOGS));
  read.push(...all);
  const dialogs = all.filter((d) => box(d, vw, vh));
  inView.push(...dialogs);
  // The last modal dialog in document order is the one on top (portals append to the body): its
  // backdrop covers the page and any dialog under it, whose titles alone still count.
  const modals = dialogs.filter((d) => d.getAttribute('aria-modal') === 'true' || (d instanceof HTMLDialogElement && d.matches(':modal')));
  const top = modals[modals.length - 1];
  const modal = top ? [top] : [];
  for (const d of dialogs) {
    if (d === anchor) push(hard, d);
    else if (!top || d === top || !(top.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_PRECEDING)) push(soft, d);
    const ids = (d.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
    for (const id of ids) { const t = doc.getElementById(id); if (t) push(hard, t); }
    for (const h of Array.from(d.querySelectorAll('h1, h2, h3')).slice(0, 4)) push(hard, h);
  }
  const scopes: ParentNode[] = modal.length ? modal : [doc];
  let n = 0;
  for (const scope of scopes) {
    for (const el of Array.from(scope.querySelectorAll(CONTROLS))) {
      push(hard, el);
      if (++n >= MAX_CONTROLS) break;
    }
  }
  for (const el of matched) push(hard, el);
  return { hard, soft, read, inView, wholeDocument: !modal.length };
}
