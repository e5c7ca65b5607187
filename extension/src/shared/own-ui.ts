// Ringfence's own elements in the page (the banner's host, the screenshot mask overlay) are known by
// reference, never by tag name or attribute: a page can create `<ringfence-warning>` or set any
// attribute to hide its own content from a capture, but it cannot put an element into this set.
// The set lives on the extension's isolated-world global, which the content script and the
// injected capture-page.js share (both Chromium and Firefox run an extension's content scripts and
// its executeScript code in one world per frame) and the page's scripts cannot reach. A symbol key,
// because window named properties (`<div id="…">`) shadow string-keyed globals.
const KEY = Symbol.for('ringfence.ownUi');

// This bundle's handle on the set, once found or made (the property is never replaced): a capture
// asks about every element of the page.
let known: WeakSet<Element> | undefined;

function registry(): WeakSet<Element> {
  if (known) return known;
  const g = globalThis as unknown as Record<symbol, unknown>;
  const found = Object.getOwnPropertyDescriptor(g, KEY)?.value;
  if (found instanceof WeakSet) return (known = found as WeakSet<Element>);
  known = new WeakSet<Element>();
  Object.defineProperty(g, KEY, { value: known });
  return known;
}

/** Records an element the extension created, so captures leave it out. */
export function markOwnUi(el: Element): void {
  registry().add(el);
}

/** Ringfence's own in-page UI is not part of the page's evidence. */
export function isOwnUi(el: Element): boolean {
  return registry().has(el);
}
