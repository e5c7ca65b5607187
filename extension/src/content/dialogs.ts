// The page's open dialogs, kept up to date from the content script's MutationObserver records
// instead of two attribute queries over the whole document on every pass (2 ms of a 50 000-node
// page). The observer already watches childList (subtree) and the `open` and `role` attributes,
// which is everything that decides membership. The list is in the order a fresh query gives
// (rules/match.ts queryAll over DIALOG_SCOPE): `dialog[open]`, then `[role="dialog"]`, then
// `[role="alertdialog"]`, each in document order.
import { DIALOG_SCOPE } from './rules/match';

const GROUPS = DIALOG_SCOPE.split(',');
/** Past this many records since the last pass, one query is cheaper than reading them. */
export const MAX_RECORDS = 2000;
const FOLLOWING = 4; // Node.DOCUMENT_POSITION_FOLLOWING (no Node global in unit tests)

export class DialogTracker {
  private set = new Set<Element>();
  private list: Element[] = [];
  private fresh = false;

  constructor(private doc: Document) {}

  /** Forget everything: the next update queries the document. */
  reset(): void { this.fresh = false; }

  /** The dialogs after these records (null: too many to read, or unknown; query again). */
  update(records: MutationRecord[] | null): Element[] {
    if (!this.fresh || records === null) {
      this.set = new Set(Array.from(this.doc.querySelectorAll(DIALOG_SCOPE)));
      this.fresh = true;
      return (this.list = this.order());
    }
    let changed = false;
    for (const r of records) {
      if (r.type === 'attributes') {
        const t = r.target as Element;
        const is = t.isConnected && t.matches(DIALOG_SCOPE);
        if (is !== this.set.has(t)) { changed = true; if (is) this.set.add(t); else this.set.delete(t); }
        continue;
      }
      for (const n of Array.from(r.addedNodes)) {
        if (n.nodeType !== 1) continue;
        const el = n as Element;
        if (el.matches(DIALOG_SCOPE)) { this.set.add(el); changed = true; }
        if (el.firstElementChild) for (const d of Array.from(el.querySelectorAll(DIALOG_SCOPE))) { this.set.add(d); changed = true; }
      }
      if (r.removedNodes.length) changed = true; // dropped below if no longer in the document
    }
    if (!changed) return this.list;
    for (const d of this.set) if (!d.isConnected || !d.matches(DIALOG_SCOPE)) this.set.delete(d);
    return (this.list = this.order());
  }

  private order(): Element[] {
    const group = (el: Element): number => GROUPS.findIndex((g) => el.matches(g));
    return [...this.set].sort((a, b) => group(a) - group(b)
      || (a.compareDocumentPosition(b) & FOLLOWING ? -1 : 1));
  }
}
