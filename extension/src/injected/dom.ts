// Shared DOM helpers for the capture: shadow-root access (open and closed), our own UI exclusion,
// and flat-tree text extraction.
import { isOwnUi } from '../shared/own-ui';

/** Returns an element's shadow root, open or closed. Extension content scripts can reach closed
 * roots: Chromium through chrome.dom.openOrClosedShadowRoot, Firefox through
 * element.openOrClosedShadowRoot(). Tests pass their own accessor. */
export type ShadowAccessor = (el: Element) => ShadowRoot | null;

// The elements attachShadow() accepts besides custom elements (DOM Standard, "valid shadow host name").
const SHADOW_HOSTS = new Set(['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'main', 'nav', 'p', 'section', 'span']);

export function defaultShadowAccessor(): ShadowAccessor {
  const g = globalThis as unknown as {
    chrome?: { dom?: { openOrClosedShadowRoot?: (el: Element) => ShadowRoot | null } };
  };
  const chromeDom = g.chrome?.dom?.openOrClosedShadowRoot;
  return (el: Element) => {
    if (el.shadowRoot) return el.shadowRoot;
    // The browser's accessor is slow (about 15 µs a call in Chromium): asked only of elements that
    // can host a shadow root at all.
    const name = el.localName;
    if (!name.includes('-') && !SHADOW_HOSTS.has(name)) return null;
    const ff = (el as unknown as { openOrClosedShadowRoot?: () => ShadowRoot | null }).openOrClosedShadowRoot;
    try {
      if (typeof ff === 'function') return ff.call(el) ?? null;
      if (chromeDom) return chromeDom(el) ?? null;
    } catch {
      // Not a shadow host, or the accessor refused: nothing to serialize.
    }
    return null;
  };
}

/** The accessor's answers remembered, for walks of one unchanging document (one collect() pass
 * walks it several times). */
export function memoShadows(shadowOf: ShadowAccessor): ShadowAccessor {
  const seen = new WeakMap<Element, ShadowRoot | null>();
  return (el) => {
    let root = seen.get(el);
    if (root === undefined) {
      root = shadowOf(el);
      seen.set(el, root);
    }
    return root;
  };
}

const BLOCK = new Set(['address', 'article', 'aside', 'blockquote', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tr', 'ul', 'option', 'label', 'button']);
const SKIP_TEXT = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'iframe', 'object', 'embed']);

function hiddenInline(el: Element): boolean {
  if (el.hasAttribute('hidden')) return true;
  const st = (el as HTMLElement).style;
  return !!st && (st.display === 'none' || st.visibility === 'hidden');
}

/** Text of the flat tree (shadow content in place of the host's light children, slots filled),
 * with line breaks at block boundaries. innerText would miss shadow DOM entirely. */
export function flatText(root: Node, shadowOf: ShadowAccessor): string {
  const parts: string[] = [];
  const visit = (node: Node): void => {
    if (node.nodeType === 3) {
      const t = (node as Text).data.replace(/\s+/g, ' ');
      if (t) parts.push(t);
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 11 && node.nodeType !== 9) return;
    if (node.nodeType === 1) {
      const el = node as Element;
      const name = el.localName;
      if (SKIP_TEXT.has(name) || isOwnUi(el) || hiddenInline(el)) return;
      if (name === 'br') { parts.push('\n'); return; }
      const block = BLOCK.has(name);
      const cell = name === 'td' || name === 'th';
      if (block) parts.push('\n');
      if (name === 'slot') {
        const assigned = (el as HTMLSlotElement).assignedNodes?.() ?? [];
        for (const n of (assigned.length ? assigned : Array.from(el.childNodes))) visit(n);
      } else {
        const sr = shadowOf(el);
        for (const n of Array.from((sr ?? el).childNodes)) visit(n);
      }
      if (cell) parts.push('\t');
      if (block) parts.push('\n');
      return;
    }
    for (const n of Array.from(node.childNodes)) visit(n);
  };
  visit(root);
  return tidyLines(parts.join(''));
}

/** Each line without trailing blanks or leading spaces, at most one empty line in a row, trimmed,
 * one final newline. Whole-text replaces: a split per line made about a million short-lived strings
 * on an 8 MB page. The lookbehind starts a blank run's scan only at its first character. */
export function tidyLines(s: string): string {
  return s.replace(/(?<![ \t])[ \t]+(?=\n|$)/g, '').replace(/(^|\n) +/g, '$1').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

/** Visits every element in document order, descending into shadow roots (before light children). */
export function walkElements(root: Document | Element | ShadowRoot, shadowOf: ShadowAccessor,
  fn: (el: Element) => boolean | void): void {
  const visit = (parent: ParentNode): void => {
    for (let c = parent.firstElementChild; c; c = c.nextElementSibling) {
      if (isOwnUi(c)) continue;
      if (fn(c) === false) continue;
      const sr = shadowOf(c);
      if (sr) visit(sr);
      if (c.localName === 'template') continue;
      visit(c);
    }
  };
  visit(root);
}

export function normSpace(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

type DocProp = 'documentElement' | 'head' | 'body' | 'title' | 'URL' | 'baseURI';

/** Reads a Document property through its prototype getter. Named elements override Document
 * properties (`<img name="title">` makes `document.title` that image, `<form name="URL">` replaces
 * `document.URL`), so a page could otherwise break or falsify its own capture. */
export function docProp<K extends DocProp>(doc: Document, name: K): Document[K] {
  for (let p = Object.getPrototypeOf(doc); p; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d?.get) return d.get.call(doc) as Document[K];
  }
  return doc[name];
}
