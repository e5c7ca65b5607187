// Screenshots are pixels: the text redaction cannot reach them. Before the screenshots, secrets that
// are visible on the page are covered with opaque boxes drawn in an overlay of our own (the page's
// nodes are not touched), and the overlay is removed right after.
import { docProp, walkElements, type ShadowAccessor } from './dom';
import { markOwnUi } from '../shared/own-ui';
import { redactText, RedactionLog, type RedactOptions } from '../shared/redact';

let overlay: HTMLElement | null = null;

// The shortest address the email rule matches ("a@b.co") is 6 characters; anything shorter holds
// no secret, email or phone number.
const MIN_MATCH = 6;

/** Whether the text would be changed by the redaction with the user's options (secrets always;
 * email addresses and phone numbers only when the user chose to mask them), or holds a 12-character
 * piece of a secret already found elsewhere on the page. */
function containsSecret(s: string, secrets: Set<string>, opts: RedactOptions): boolean {
  if (s.length < MIN_MATCH) return false;
  if (redactText(s, 'mask', new RedactionLog(), opts) !== s) return true;
  for (const secret of secrets) {
    if (secret.length < 12) continue;
    for (let i = 0; i + 12 <= secret.length; i += 4) if (s.includes(secret.slice(i, i + 12))) return true;
  }
  return false;
}

/** The text nodes and form fields whose visible content must be covered before a screenshot. */
export function maskTargets(doc: Document, shadowOf: ShadowAccessor, secrets: Set<string>, opts: RedactOptions): (Text | Element)[] {
  const out: (Text | Element)[] = [];
  const visitText = (root: ParentNode): void => {
    for (let n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && containsSecret((n as Text).data, secrets, opts)) out.push(n as Text);
    }
  };
  walkElements(doc, shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head') return false;
    visitText(el);
    if (name === 'input' || name === 'textarea') {
      const v = (el as HTMLInputElement).value ?? '';
      if (containsSecret(v, secrets, opts)) out.push(el);
    }
    const sr = shadowOf(el);
    if (sr) visitText(sr);
    return undefined;
  });
  return out;
}

export function maskSecrets(doc: Document, shadowOf: ShadowAccessor, log: RedactionLog, opts: RedactOptions): number {
  unmaskSecrets();
  const rects: DOMRect[] = [];
  for (const n of maskTargets(doc, shadowOf, log.secrets, opts)) {
    if (n.nodeType === 3) {
      const r = doc.createRange();
      r.selectNodeContents(n);
      rects.push(...Array.from(r.getClientRects()));
    } else {
      rects.push((n as Element).getBoundingClientRect());
    }
  }
  const boxes = rects.filter((r) => r.width > 0 && r.height > 0);
  if (!boxes.length) return 0;
  overlay = doc.createElement('div');
  markOwnUi(overlay);
  // Absolute in document coordinates, so the boxes scroll with the page during full-page stitching.
  overlay.style.cssText = 'all:initial;position:absolute;left:0;top:0;width:0;height:0;z-index:2147483647;pointer-events:none';
  const sx = window.scrollX;
  const sy = window.scrollY;
  for (const r of boxes) {
    const b = doc.createElement('div');
    b.style.cssText = `all:initial;position:absolute;left:${r.left + sx - 2}px;top:${r.top + sy - 1}px;width:${r.width + 4}px;height:${r.height + 2}px;background:#111;color:#fff;font:10px/1 sans-serif;overflow:hidden;display:flex;align-items:center;justify-content:center`;
    b.textContent = 'redacted';
    overlay.append(b);
  }
  docProp(doc, 'documentElement').append(overlay);
  return boxes.length;
}

export function unmaskSecrets(): void {
  overlay?.remove();
  overlay = null;
}
