// Screenshots are pixels: the text redaction cannot reach them. Before the screenshots, what the page
// paints that holds a secret is covered with opaque boxes drawn in an overlay of our own (the page's
// nodes are not touched), and the overlay is removed right after. "What is painted" is more than
// text nodes: form values and placeholders, the selected option of a <select>, ::before/::after
// content, image alt text, keys split across elements or by invisible characters, and whatever
// cannot be read at all — cross-origin frames, canvases, plugins — which is covered whole.
// The background checks each captured image for these boxes (background/verify.ts).
import { docProp, walkElements, type ShadowAccessor } from './dom';
import { markOwnUi } from '../shared/own-ui';
import { INVISIBLE, redactText, RedactionLog, secretSpans, type RedactOptions } from '../shared/redact';
import type { MaskBox } from '../shared/page-api';

/** The boxes' colour; background/verify.ts looks for exactly this in the captured pixels. */
export const MASK_COLOR = '#111111';

let overlay: HTMLElement | null = null;
let last: { doc: Document; shadowOf: ShadowAccessor; log: RedactionLog; opts: RedactOptions } | null = null;

// The shortest address the email rule matches ("a@b.co") is 6 characters; anything shorter holds
// no secret, email or phone number.
const MIN_MATCH = 6;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g');

/** Whether the text would be changed by the redaction with the user's options (secrets always;
 * email addresses and phone numbers only when the user chose to mask them), or holds a 12-character
 * piece of a secret already found elsewhere on the page. Invisible characters are ignored. */
function containsSecret(raw: string, secrets: Set<string>, opts: RedactOptions): boolean {
  const s = raw.replace(INVISIBLE_ALL, '');
  if (s.length < MIN_MATCH) return false;
  if (redactText(s, 'mask', new RedactionLog(), opts) !== s) return true;
  for (const secret of secrets) {
    if (secret.length < 12) continue;
    for (let i = 0; i + 12 <= secret.length; i += 4) if (s.includes(secret.slice(i, i + 12))) return true;
  }
  return false;
}

/** Generated content of a pseudo-element as text ("none"/"normal" when there is none). */
function pseudoText(el: Element, pseudo: '::before' | '::after'): string {
  const view = el.ownerDocument.defaultView;
  if (!view) return '';
  const c = view.getComputedStyle(el, pseudo).content;
  if (!c || c === 'none' || c === 'normal') return '';
  return c.replace(/^["']|["']$/g, '');
}

function sameOriginDoc(frame: HTMLIFrameElement | HTMLFrameElement): Document | null {
  try {
    return frame.contentDocument ?? null;
  } catch {
    return null;
  }
}

/** Every text node of a document's flat tree, in order, for the joined (split-key) check. */
function textNodes(doc: Document, shadowOf: ShadowAccessor): Text[] {
  const out: Text[] = [];
  const visit = (root: ParentNode): void => {
    for (let n = root.firstChild; n; n = n.nextSibling) if (n.nodeType === 3) out.push(n as Text);
  };
  walkElements(doc, shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head' || name === 'template') return false;
    visit(el);
    const sr = shadowOf(el);
    if (sr) visit(sr);
    return undefined;
  });
  return out;
}

/** Text nodes that hold part of a key split across nodes (elements, <br>, table cells) or by
 * invisible characters: the node texts are joined without separators, and every node a match
 * touches is covered. */
function splitKeyNodes(nodes: Text[]): Set<Text> {
  // The view is built from whole node texts (a large page has millions of characters); pieceStart
  // and pieceNode map a view offset back to its node.
  const parts: string[] = [];
  const pieceStart: number[] = [];
  const pieceNode: number[] = [];
  let length = 0;
  const piece = (s: string, node: number): void => {
    parts.push(s);
    pieceStart.push(length);
    pieceNode.push(node);
    length += s.length;
  };
  nodes.forEach((t, i) => {
    const s = t.data.replace(INVISIBLE_ALL, '');
    if (!s.trim()) return;
    // A node starting a key prefix starts a new word (see joinedView in shared/redact.ts).
    if (/^\s*(?:sk-|sess-|eyJ|Bearer\s)/.test(s)) piece('\u0001', i);
    piece(s, i);
  });
  const view = parts.join('');
  const nodeAt = (k: number): number => {
    let lo = 0;
    let hi = pieceStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pieceStart[mid] <= k) lo = mid; else hi = mid - 1;
    }
    return pieceNode[lo];
  };
  const hit = new Set<Text>();
  for (const sp of secretSpans(view)) {
    // Every node holding part of the key, prefix included, is covered — except a node the match
    // only runs into for a few characters ("…Q6" then the next paragraph's "Signed in as"): a
    // pattern cannot tell where a key ends, a node covered for 8 characters or wholly is part of it.
    const covered = new Map<number, number>();
    for (let k = sp.match; k < sp.end; k++) {
      if (view[k] === '\u0001') continue;
      const node = nodeAt(k);
      covered.set(node, (covered.get(node) ?? 0) + 1);
    }
    let firstNode = true;
    for (const [i, n] of covered) {
      const len = nodes[i].data.replace(INVISIBLE_ALL, '').trim().length;
      if (firstNode || n >= 8 || n >= len) hit.add(nodes[i]);
      firstNode = false;
    }
  }
  return hit;
}

/** The text nodes and elements whose painted content must be covered before a screenshot. */
export function maskTargets(doc: Document, shadowOf: ShadowAccessor, secrets: Set<string>, opts: RedactOptions): (Text | Element)[] {
  const out: (Text | Element)[] = [];
  const seen = new Set<Node>();
  const add = (n: Text | Element): void => { if (!seen.has(n)) { seen.add(n); out.push(n); } };
  const visitText = (root: ParentNode): void => {
    for (let n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && containsSecret((n as Text).data, secrets, opts)) add(n as Text);
    }
  };
  walkElements(doc, shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head') return false;
    visitText(el);
    if (name === 'input' || name === 'textarea') {
      const f = el as HTMLInputElement;
      if (containsSecret(f.value ?? '', secrets, opts) || containsSecret(f.placeholder ?? '', secrets, opts)
        || (name === 'input' && f.type === 'image' && containsSecret(f.alt ?? '', secrets, opts))) add(el);
    } else if (name === 'select') {
      const sel = el as HTMLSelectElement;
      if (Array.from(sel.selectedOptions ?? []).some((o) => containsSecret(o.text, secrets, opts))) add(el);
    } else if (name === 'img' || name === 'area') {
      if (containsSecret(el.getAttribute('alt') ?? '', secrets, opts)) add(el);
    } else if (name === 'iframe' || name === 'frame') {
      // A frame we can read is covered when it shows a secret; one we cannot read, always.
      const fd = sameOriginDoc(el as HTMLIFrameElement);
      if (!fd || maskTargets(fd, shadowOf, secrets, opts).length > 0) add(el);
    } else if (name === 'canvas' || name === 'embed' || name === 'object') {
      add(el); // pixels or a plugin: nothing to read, covered whole
    }
    if (containsSecret(pseudoText(el, '::before'), secrets, opts) || containsSecret(pseudoText(el, '::after'), secrets, opts)) add(el);
    const sr = shadowOf(el);
    if (sr) visitText(sr);
    return undefined;
  });
  for (const t of splitKeyNodes(textNodes(doc, shadowOf))) add(t);
  return out;
}

function rectsOf(doc: Document, n: Text | Element): DOMRect[] {
  if (n.nodeType === 3) {
    const r = doc.createRange();
    r.selectNodeContents(n);
    return Array.from(r.getClientRects());
  }
  return [(n as Element).getBoundingClientRect()];
}

/** Covers what maskTargets finds, at the current scroll position; returns the number of boxes.
 * Called again after every scroll (full-page capture), since fixed and sticky content moves
 * relative to the document. */
export function maskSecrets(doc: Document, shadowOf: ShadowAccessor, log: RedactionLog, opts: RedactOptions): number {
  unmaskSecrets();
  last = { doc, shadowOf, log, opts };
  const boxes = maskTargets(doc, shadowOf, log.secrets, opts).flatMap((n) => rectsOf(doc, n))
    .filter((r) => r.width > 0 && r.height > 0);
  if (!boxes.length) return 0;
  overlay = doc.createElement('div');
  markOwnUi(overlay);
  // Absolute in document coordinates, so the boxes scroll with the page during full-page stitching.
  overlay.style.cssText = 'all:initial;position:absolute;left:0;top:0;width:0;height:0;z-index:2147483647;pointer-events:none';
  const sx = window.scrollX;
  const sy = window.scrollY;
  for (const r of boxes) {
    const b = doc.createElement('div');
    // Solid, no label: every pixel of a box must be MASK_COLOR for the verification.
    b.style.cssText = `all:initial;position:absolute;display:block;left:${r.left + sx - 2}px;top:${r.top + sy - 1}px;width:${r.width + 4}px;height:${r.height + 2}px;background:${MASK_COLOR}`;
    overlay.append(b);
  }
  docProp(doc, 'documentElement').append(overlay);
  return boxes.length;
}

/** Re-draws the boxes for the current scroll position (same targets, same options). */
export function remask(): number {
  return last ? maskSecrets(last.doc, last.shadowOf, last.log, last.opts) : 0;
}

/** The boxes as drawn, in viewport CSS pixels. */
export function maskBoxes(): MaskBox[] {
  if (!overlay) return [];
  return Array.from(overlay.children).map((b) => {
    const r = b.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  });
}

export function unmaskSecrets(): void {
  overlay?.remove();
  overlay = null;
}

/** Resolves once a frame containing the current DOM (the boxes included) has been presented: two
 * animation frames and a task. A page that does not render (hidden tab) gets a timeout; the
 * verification of the captured image then decides. */
export function afterPaint(timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => { clearTimeout(t); resolve(); }, 0)));
  });
}

export function forgetMasks(): void {
  unmaskSecrets();
  last = null;
}
