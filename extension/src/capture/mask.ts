// Screenshots are pixels: the text redaction cannot reach them. Before the screenshots, secrets that
// are visible on the page are covered with opaque boxes drawn in an overlay of our own (the page's
// nodes are not touched), and the overlay is removed right after.
import { docProp, walkElements, type ShadowAccessor } from './dom';
import { redactText, RedactionLog, type RedactOptions } from './redact';

let overlay: HTMLElement | null = null;

function containsSecret(s: string, secrets: Set<string>, opts: RedactOptions): boolean {
  if (s.length < 8) return false;
  if (redactText(s, 'mask', new RedactionLog(), { ...opts, maskEmails: false, maskPhones: false }) !== s) return true;
  for (const secret of secrets) {
    if (secret.length < 12) continue;
    for (let i = 0; i + 12 <= secret.length; i += 4) if (s.includes(secret.slice(i, i + 12))) return true;
  }
  return false;
}

export function maskSecrets(doc: Document, shadowOf: ShadowAccessor, log: RedactionLog, opts: RedactOptions): number {
  unmaskSecrets();
  const rects: DOMRect[] = [];
  const visitText = (root: ParentNode): void => {
    for (let n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3 && containsSecret((n as Text).data, log.secrets, opts)) {
        const r = doc.createRange();
        r.selectNodeContents(n);
        rects.push(...Array.from(r.getClientRects()));
      }
    }
  };
  walkElements(doc, shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head') return false;
    visitText(el);
    if (name === 'input' || name === 'textarea') {
      const v = (el as HTMLInputElement).value ?? '';
      if (containsSecret(v, log.secrets, opts)) rects.push(el.getBoundingClientRect());
    }
    const sr = shadowOf(el);
    if (sr) visitText(sr);
    return undefined;
  });
  const boxes = rects.filter((r) => r.width > 0 && r.height > 0);
  if (!boxes.length) return 0;
  overlay = doc.createElement('div');
  overlay.setAttribute('data-ringfence-ui', 'mask');
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
