// The sanitized DOM (dom.html): the live document serialized by walking it, because cloning would
// lose closed shadow roots and the current form state. Scripts and event handlers go; form values,
// checked and selected states are written into the markup; password values are dropped; open and
// closed shadow roots become declarative shadow DOM; same-origin iframes are inlined as srcdoc;
// readable stylesheets are inlined; every remote reference is moved to a data-ringfence-* attribute
// so the file renders offline without a single request (a CSP meta tag enforces it).
import { docProp, type ShadowAccessor } from './dom';
import type { SanitizeStats } from '../shared/page-api';
import { isOwnUi } from '../shared/own-ui';
import { isKeyLikeName, redactFieldValue, type RedactionLog, type RedactOptions } from '../shared/redact';

export interface SanitizeOptions {
  shadowOf: ShadowAccessor;
  log: RedactionLog;
  redact: RedactOptions;
  artifact?: string;
}

/** No network, no script: only inline styles and data: URLs may load. */
export const OFFLINE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; media-src data:; frame-src 'self' about: data:";

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'param', 'keygen']);
const DROP = new Set(['script', 'noscript', 'object', 'embed', 'applet', 'base', 'frame', 'frameset', 'portal']);
const URL_ATTRS = new Set(['src', 'srcset', 'poster', 'background', 'data', 'codebase', 'lowsrc', 'dynsrc', 'imagesrcset']);
const NAV_ATTRS = new Set(['href', 'action', 'formaction', 'cite', 'longdesc']);

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u00a0/g, '&nbsp;');
}

export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\u00a0/g, '&nbsp;');
}

/** Remote url() references in CSS become `none`; data: URLs stay. */
export function neutralizeCss(css: string): string {
  return css
    .replace(/@import\s+(?:url\()?\s*(['"]?)[^'")\s;]*\1\s*\)?[^;]*;/gi, '')
    .replace(/url\(\s*(['"]?)(.*?)\1\s*\)/gi, (all, _q: string, u: string) => (/^\s*data:/i.test(u) || u.startsWith('#') ? all : 'none'));
}

function sheetText(sheet: CSSStyleSheet, depth = 0): string | null {
  let rules: CSSRuleList;
  try {
    rules = sheet.cssRules;
  } catch {
    return null; // cross-origin sheet without CORS: unreadable without a fetch, which we never do
  }
  const out: string[] = [];
  for (const rule of Array.from(rules)) {
    if (rule.type === 3) { // CSSRule.IMPORT_RULE: inline the imported sheet when it is readable
      const imported = (rule as CSSImportRule).styleSheet;
      if (imported && depth < 4) out.push(sheetText(imported, depth + 1) ?? '');
      continue;
    }
    out.push(rule.cssText);
  }
  return out.join('\n');
}

function absolute(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

function fieldName(el: Element): string {
  const labels = (el as HTMLInputElement).labels;
  const labelText = labels && labels.length ? labels[0].textContent ?? '' : '';
  return [el.getAttribute('name'), el.id, el.getAttribute('autocomplete'), el.getAttribute('aria-label'),
    el.getAttribute('placeholder'), labelText].filter(Boolean).join(' ');
}

class Serializer {
  readonly stats: SanitizeStats = { elements: 0, shadowRoots: 0, frames: 0, neutralized: 0 };
  private out: string[] = [];
  private readonly artifact: string;
  // Read once: baseURI and document.head are tree searches in some DOMs.
  private base = '';
  private hasHead = true;

  constructor(private opts: SanitizeOptions) {
    this.artifact = opts.artifact ?? 'dom.html';
  }

  document(doc: Document): string {
    this.out = [];
    this.base = docProp(doc, 'baseURI') || docProp(doc, 'URL');
    this.hasHead = !!docProp(doc, 'head');
    this.out.push('<!DOCTYPE html>\n');
    const root = docProp(doc, 'documentElement');
    if (root) this.element(root, doc);
    return this.out.join('');
  }

  private children(parent: ParentNode, doc: Document): void {
    for (let n = parent.firstChild; n; n = n.nextSibling) this.node(n, doc);
  }

  private node(n: Node, doc: Document): void {
    if (n.nodeType === 3) {
      const p = n.parentNode as Element | null;
      const raw = p && p.nodeType === 1 && (p.localName === 'style');
      this.out.push(raw ? neutralizeCss((n as Text).data) : escapeText((n as Text).data));
    } else if (n.nodeType === 1) {
      this.element(n as Element, doc);
    }
    // Comments and processing instructions are dropped: not evidence, and they can hide markup.
  }

  private head(): void {
    this.out.push('<meta charset="utf-8">');
    this.out.push(`<meta http-equiv="Content-Security-Policy" content="${escapeAttr(OFFLINE_CSP)}">`);
    this.out.push('<meta name="referrer" content="no-referrer">');
  }

  private element(el: Element, doc: Document): void {
    const name = el.localName;
    if (DROP.has(name) || isOwnUi(el)) { this.stats.neutralized++; return; }
    if (name === 'meta') {
      const equiv = (el.getAttribute('http-equiv') ?? '').toLowerCase();
      if (equiv || el.hasAttribute('charset')) return; // ours replace them
    }
    if (name === 'link') { this.link(el as HTMLLinkElement); return; }
    if (name === 'style') { this.style(el as HTMLStyleElement); return; }
    if (name === 'iframe') { this.iframe(el as HTMLIFrameElement); return; }
    if (name === 'canvas') { this.canvas(el as HTMLCanvasElement); return; }
    this.stats.elements++;

    const attrs = this.attributes(el);
    const tag = el.tagName.includes(':') ? el.tagName : (el.namespaceURI === 'http://www.w3.org/1999/xhtml' ? name : el.tagName);
    this.out.push(`<${tag}${attrs}>`);
    if (name === 'head') this.head();
    if (VOID.has(name)) return;

    const sr = this.opts.shadowOf(el);
    if (sr) this.shadow(sr, doc);

    if (name === 'textarea') {
      this.out.push(escapeText(this.fieldValue(el as HTMLTextAreaElement)));
    } else if (name === 'template') {
      this.children((el as HTMLTemplateElement).content, doc);
    } else {
      this.children(el, doc);
    }
    if (name === 'html' && !this.hasHead) this.head();
    if (name === 'head') this.adopted((doc as unknown as { adoptedStyleSheets?: CSSStyleSheet[] }).adoptedStyleSheets);
    this.out.push(`</${tag}>`);
  }

  private shadow(sr: ShadowRoot, doc: Document): void {
    this.stats.shadowRoots++;
    const delegates = sr.delegatesFocus ? ' shadowrootdelegatesfocus=""' : '';
    this.out.push(`<template shadowrootmode="${sr.mode === 'closed' ? 'closed' : 'open'}"${delegates}>`);
    this.adopted((sr as unknown as { adoptedStyleSheets?: CSSStyleSheet[] }).adoptedStyleSheets);
    this.children(sr, doc);
    this.out.push('</template>');
  }

  private adopted(sheets: CSSStyleSheet[] | undefined): void {
    if (!sheets || !sheets.length) return;
    for (const s of sheets) {
      const css = sheetText(s);
      if (css) this.out.push(`<style data-ringfence-adopted="">${neutralizeCss(css)}</style>`);
    }
  }

  private fieldValue(el: HTMLInputElement | HTMLTextAreaElement): string {
    return redactFieldValue(el.value ?? '', fieldName(el), this.artifact, this.opts.log, this.opts.redact);
  }

  private attributes(el: Element): string {
    const name = el.localName;
    const parts: string[] = [];
    const isInput = name === 'input';
    const type = isInput ? ((el as HTMLInputElement).type || 'text').toLowerCase() : '';
    const base = this.base;
    for (const a of Array.from(el.attributes)) {
      const an = a.name.toLowerCase();
      let v = a.value;
      if (an.startsWith('on')) { this.stats.neutralized++; continue; }
      if (an === 'nonce' || an === 'integrity') continue;
      if (isInput && (an === 'value' || an === 'checked')) continue; // rewritten from live state below
      if (name === 'option' && an === 'selected') continue;
      if (URL_ATTRS.has(an)) {
        if (/^\s*data:/i.test(v) && an === 'src') { parts.push(` src="${escapeAttr(v)}"`); continue; }
        parts.push(` data-ringfence-${an}="${escapeAttr(an === 'srcset' || an === 'imagesrcset' ? v : absolute(v, base))}"`);
        this.stats.neutralized++;
        continue;
      }
      if (an === 'href' || an === 'xlink:href') {
        // SVG <use>/<image>/<feImage> fetch their href; anchors only navigate on a click.
        if (el.namespaceURI === 'http://www.w3.org/2000/svg' && name !== 'a') {
          if (v.startsWith('#') || /^\s*data:/i.test(v)) { parts.push(` ${a.name}="${escapeAttr(v)}"`); continue; }
          parts.push(` data-ringfence-href="${escapeAttr(absolute(v, base))}"`);
          this.stats.neutralized++;
          continue;
        }
      }
      if (NAV_ATTRS.has(an)) {
        // Judged after parsing: the URL parser drops tabs and newlines ("java\tscript:").
        v = absolute(v, base);
        if (/^\s*(javascript|vbscript|data):/i.test(v)) v = '#';
      }
      if (an === 'style') v = neutralizeCss(v);
      if (an.startsWith('data-') && isKeyLikeName(an)) {
        v = redactFieldValue(v, an, this.artifact, this.opts.log, this.opts.redact);
      }
      parts.push(` ${a.name}="${escapeAttr(v)}"`);
    }
    if (isInput) {
      const input = el as HTMLInputElement;
      if (type === 'checkbox' || type === 'radio') {
        if (input.checked) parts.push(' checked=""');
        if (input.indeterminate) parts.push(' data-ringfence-indeterminate=""');
        if (el.hasAttribute('value')) parts.push(` value="${escapeAttr(el.getAttribute('value') ?? '')}"`);
      } else if (type === 'password') {
        if (input.value) parts.push(' data-ringfence-password="dropped"');
      } else if (type !== 'file' && type !== 'image') {
        const val = input.value ?? '';
        if (val) {
          // Hidden inputs carry CSRF and session tokens: treat them as credential fields.
          const red = redactFieldValue(val, `${fieldName(el)}${type === 'hidden' ? ' token' : ''}`, this.artifact, this.opts.log, this.opts.redact);
          parts.push(` value="${escapeAttr(red)}"`);
        }
      }
    }
    if (name === 'option' && (el as HTMLOptionElement).selected) parts.push(' selected=""');
    if (name === 'details' && (el as HTMLDetailsElement).open && !el.hasAttribute('open')) parts.push(' open=""');
    if (name === 'dialog' && (el as HTMLDialogElement).open && !el.hasAttribute('open')) parts.push(' open=""');
    return parts.join('');
  }

  private link(el: HTMLLinkElement): void {
    const rel = (el.getAttribute('rel') ?? '').toLowerCase();
    const href = absolute(el.getAttribute('href') ?? '', this.base);
    this.stats.neutralized++;
    if (!rel.split(/\s+/).includes('stylesheet')) return; // icons, preloads, manifests: fetches, not content
    const css = el.sheet ? sheetText(el.sheet as CSSStyleSheet) : null;
    const media = el.getAttribute('media');
    const mediaAttr = media ? ` media="${escapeAttr(media)}"` : '';
    if (css === null) {
      this.out.push(`<style data-ringfence-href="${escapeAttr(href)}" data-ringfence-unreadable=""${mediaAttr}></style>`);
    } else {
      this.out.push(`<style data-ringfence-href="${escapeAttr(href)}"${mediaAttr}>${neutralizeCss(css).replace(/<\/style/gi, '<\\/style')}</style>`);
    }
  }

  private style(el: HTMLStyleElement): void {
    // CSS-in-JS libraries insert rules with insertRule, leaving the element's text empty: the sheet
    // is the truth when it is readable.
    const fromSheet = el.sheet ? sheetText(el.sheet as CSSStyleSheet) : null;
    const css = fromSheet && fromSheet.length >= (el.textContent ?? '').length * 0.5 ? fromSheet : el.textContent ?? '';
    const media = el.getAttribute('media');
    const mediaAttr = media ? ` media="${escapeAttr(media)}"` : '';
    this.out.push(`<style${mediaAttr}>${neutralizeCss(css).replace(/<\/style/gi, '<\\/style')}</style>`);
  }

  private iframe(el: HTMLIFrameElement): void {
    let inner: Document | null;
    try {
      inner = el.contentDocument;
    } catch {
      inner = null;
    }
    const attrs: string[] = [];
    for (const a of Array.from(el.attributes)) {
      const an = a.name.toLowerCase();
      if (an.startsWith('on') || an === 'src' || an === 'srcdoc' || an === 'sandbox' || an === 'allow') continue;
      attrs.push(` ${a.name}="${escapeAttr(a.value)}"`);
    }
    const src = el.getAttribute('src');
    if (src) attrs.push(` data-ringfence-src="${escapeAttr(absolute(src, this.base))}"`);
    let body: string;
    if (inner && inner.documentElement) {
      this.stats.frames++;
      body = new Serializer(this.opts).document(inner);
    } else {
      this.stats.neutralized++;
      body = '<!DOCTYPE html><meta charset="utf-8"><p style="font:13px sans-serif;color:#666">[cross-origin frame not captured]</p>';
    }
    // sandbox without allow-scripts: an inlined frame can never run anything.
    this.out.push(`<iframe${attrs.join('')} sandbox="allow-same-origin" srcdoc="${escapeAttr(body)}"></iframe>`);
  }

  private canvas(el: HTMLCanvasElement): void {
    let url: string;
    try {
      url = el.toDataURL('image/png');
    } catch {
      url = ''; // tainted by a cross-origin image
    }
    const w = el.getAttribute('width') ?? String(el.width);
    const h = el.getAttribute('height') ?? String(el.height);
    const cls = el.getAttribute('class');
    this.out.push(`<img data-ringfence-canvas="" width="${escapeAttr(w)}" height="${escapeAttr(h)}"${cls ? ` class="${escapeAttr(cls)}"` : ''}${url.startsWith('data:image/') ? ` src="${escapeAttr(url)}"` : ''}>`);
  }
}

/** Serializes the document; the caller runs redactText/scrubFragments over the result. */
export function sanitizeDocument(doc: Document, opts: SanitizeOptions): { html: string; stats: SanitizeStats } {
  const s = new Serializer(opts);
  const html = s.document(doc);
  return { html, stats: s.stats };
}
