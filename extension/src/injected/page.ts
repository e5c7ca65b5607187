// Built to capture-page.js (PAGE_SCRIPT) and injected with scripting.executeScript into the tab being captured
// (the extension's isolated world). It installs one object on the isolated world's global; the
// background then calls its methods with executeScript({func}). Everything it returns is already
// redacted: secrets never leave the page in the clear (the list of removed secrets is returned to
// the background only in memory, to scrub the browser-made MHTML; it is never stored).
import { classify } from './classify';
import { defaultShadowAccessor, docProp, flatText, memoShadows, type ShadowAccessor } from './dom';
import { isOwnUi } from '../shared/own-ui';
import { RedactionLog, redactJoined, redactText, scrubFragments } from '../shared/redact';
import { sanitizeDocument } from './sanitize';
import { extractSettings } from './settings';
import { afterPaint, forgetMasks, maskBoxes, maskSecrets, remask } from './mask';
import { api as ext } from '../shared/browser';
import { utf8 } from '../shared/utf8';
import { BODIES_MESSAGE, BODY_PART, PAGE_API_KEY as KEY, type BodiesPart, type BodyName, type CollectOptions, type Geometry, type PageApi, type PageResult, type Settled } from '../shared/page-api';


function geometry(): Geometry {
  const de = docProp(document, 'documentElement');
  const body = docProp(document, 'body');
  return {
    scrollHeight: Math.max(de.scrollHeight, body?.scrollHeight ?? 0),
    scrollWidth: Math.max(de.scrollWidth, body?.scrollWidth ?? 0),
    innerHeight: window.innerHeight,
    innerWidth: de.clientWidth || window.innerWidth,
    devicePixelRatio: window.devicePixelRatio || 1,
    scrollX: window.scrollX,
    scrollY: window.scrollY,
  };
}

async function collect(o: CollectOptions, liveShadowOf: ShadowAccessor): Promise<PageResult> {
  const t0 = performance.now();
  // Nothing changes the page while this synchronous pass walks it; the masks keep the live accessor,
  // since they are drawn again after every scroll of a full-page capture.
  const shadowOf = memoShadows(liveShadowOf);
  const log = new RedactionLog();
  const { html: rawHtml, stats } = sanitizeDocument(document, { shadowOf, log, redact: o.redact });
  const title = docProp(document, 'title');
  const root = docProp(document, 'body') ?? docProp(document, 'documentElement');
  const rawText = (title ? `${title}\n\n` : '') + flatText(root, shadowOf);
  const settingsObj = extractSettings(document, { shadowOf, log, redact: o.redact });
  // Patterns first over every artifact (this also learns the secrets), then fragments everywhere.
  // Keys split across elements, <br>, table cells, zero-width characters or soft hyphens first: a
  // key whose first piece alone matches would otherwise lose only that piece.
  let text = redactText(redactJoined(rawText, 'text.txt', log, 'text'), 'text.txt', log, o.redact);
  let html = redactText(redactJoined(rawHtml, 'dom.html', log, 'html'), 'dom.html', log, o.redact);
  let settings = redactText(JSON.stringify(settingsObj, null, 2), 'settings.json', log, o.redact);
  text = scrubFragments(text, 'text.txt', log);
  html = scrubFragments(html, 'dom.html', log);
  settings = scrubFragments(settings, 'settings.json', log);
  const classification = classify(location.href, text);
  const masked = o.mask ? maskSecrets(document, liveShadowOf, log, o.redact) : 0;
  const g = geometry();
  const bodySizes = sendBodies(o.token, { 'dom.html': html, 'text.txt': text, 'settings.json': settings });
  const collectMs = Math.round(performance.now() - t0);
  // Boxes drawn: the screenshot waits for a frame that shows them (here, saving the background a
  // round trip). None: nothing on screen changed, so there is no frame to wait for.
  const settled = o.mask ? (masked ? await settle() : settledNow()) : undefined;
  return {
    url: redactText(location.href, 'meta', log, o.redact),
    title: redactText(title, 'meta', log, o.redact),
    // Every page-originated field is redacted here, and again by the host.
    lang: redactText(docProp(document, 'documentElement').getAttribute('lang') ?? '', 'meta', log, o.redact),
    language: navigator.language,
    viewport: { width: window.innerWidth, height: window.innerHeight },
    devicePixelRatio: g.devicePixelRatio,
    scroll: { x: g.scrollX, y: g.scrollY },
    documentSize: { width: g.scrollWidth, height: g.scrollHeight },
    bodySizes,
    classification,
    redactions: log.entries(),
    secrets: [...log.secrets],
    stats: { ...stats, nodes: document.getElementsByTagName('*').length, collectMs, masked },
    ...(settled ? { settled } : {}),
  };
}

// A Blob costs a few milliseconds to make whatever its size (it is registered with the browser), and
// saves far more on megabytes: small bodies go as cloned bytes.
const BLOB_MIN = 512 << 10;

/** Encodes the bodies and sends them to the background in parts; returns their sizes. The sends are
 * not awaited: the background waits for every part (and gives up after a while). */
function sendBodies(token: string, bodies: Record<BodyName, string>): Record<BodyName, number> {
  const sizes = {} as Record<BodyName, number>;
  for (const [name, body] of Object.entries(bodies) as [BodyName, string][]) {
    if (__BROWSER__ === 'chrome' && body.length >= BLOB_MIN) {
      // The Blob constructor encodes the string as UTF-8 (lone surrogates as U+FFFD, like utf8()).
      const blob = new Blob([body]);
      sizes[name] = blob.size;
      const part: BodiesPart = { type: BODIES_MESSAGE, token, name, offset: 0, size: blob.size, blob };
      void ext.runtime.sendMessage(part).catch(() => undefined);
      continue;
    }
    const bytes = utf8(body);
    sizes[name] = bytes.length;
    let offset = 0;
    do {
      // A whole body as it is; a large one in copied parts (a clone of a view copies its whole buffer).
      const piece = bytes.length <= BODY_PART ? bytes : bytes.slice(offset, offset + BODY_PART);
      const part: BodiesPart = { type: BODIES_MESSAGE, token, name, offset, size: bytes.length, bytes: piece };
      void ext.runtime.sendMessage(part).catch(() => undefined);
      offset += BODY_PART;
    } while (offset < bytes.length);
  }
  return sizes;
}

const hidden: { el: HTMLElement; value: string; priority: string }[] = [];
let restoreScroll: { x: number; y: number } | null = null;

/** Fixed and sticky elements would repeat in every stitched frame: hidden after the first. */
function hideFixed(): number {
  const body = docProp(document, 'body');
  const all = body ? body.getElementsByTagName('*') : [];
  for (const el of Array.from(all) as HTMLElement[]) {
    if (isOwnUi(el)) continue;
    const pos = getComputedStyle(el).position;
    if (pos === 'fixed' || pos === 'sticky') {
      hidden.push({ el, value: el.style.getPropertyValue('visibility'), priority: el.style.getPropertyPriority('visibility') });
      el.style.setProperty('visibility', 'hidden', 'important');
    }
  }
  return hidden.length;
}

/** Never capture before the masks are on screen: after drawing them, wait for a presented frame. */
async function settle(): Promise<Settled> {
  await afterPaint();
  return settledNow();
}

function settledNow(): Settled {
  return { boxes: maskBoxes(), scrollX: window.scrollX, scrollY: window.scrollY, innerWidth: window.innerWidth, innerHeight: window.innerHeight };
}

async function scrollTo(y: number): Promise<Settled> {
  if (!restoreScroll) restoreScroll = { x: window.scrollX, y: window.scrollY };
  window.scrollTo({ left: 0, top: y, behavior: 'instant' as ScrollBehavior });
  // Two frames: lazy content and scroll-linked styles settle; then the masks are drawn again for
  // this position (fixed and sticky content moved) and painted before the capture.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  remask();
  return settle();
}

function restore(): void {
  for (const h of hidden.splice(0)) {
    if (h.value) h.el.style.setProperty('visibility', h.value, h.priority);
    else h.el.style.removeProperty('visibility');
  }
  if (restoreScroll) {
    window.scrollTo({ left: restoreScroll.x, top: restoreScroll.y, behavior: 'instant' as ScrollBehavior });
    restoreScroll = null;
  }
  forgetMasks();
}

// Installed once per document and kept: later captures of the tab find it (pageApi() in the
// background) instead of injecting this file again. An own property, checked as such: window named
// properties (`<div id="__ringfencePageApi">` in the page) are visible on the isolated world's global
// too, and would otherwise pass for the API. A copy left by an extension context that is gone (the
// extension was reloaded or updated: its runtime has no id any more) is replaced.
const installed = Object.getOwnPropertyDescriptor(globalThis, KEY)?.value as Partial<PageApi> | undefined;
if (!installed?.alive?.()) {
  const shadowOf = defaultShadowAccessor();
  const api: PageApi = {
    alive: () => !!ext.runtime?.id, collect: (o) => collect(o, shadowOf), geometry, scrollTo, settle, hideFixed, restore,
  };
  Object.defineProperty(globalThis, KEY, { value: api, configurable: true });
}
