// Helpers for the user-facing surfaces (banner, click guard, popup, options) in both browsers:
// reaching into the banner's closed shadow root with the test tool's privilege (CDP / WebDriver BiDi;
// the page itself never can), the page's interactive controls and dialog titles as rectangles,
// screenshots under out/ux/, and axe-core audits.
//
//   await shadowEval(page, fn, ...args)   runs fn(root, ...args) in the page's main world with the
//                                         banner's closed ShadowRoot; args and result are JSON
//   await bannerState(page)               { rule, level, role, expanded, actions, box, guard, focus,
//                                           live } | null  (box: the card's viewport rectangle)
//   await pageObstacles(page)             the page's reachable controls and dialog titles:
//                                         [{ what, left, top, right, bottom }]
//   intersecting(box, obstacles)          the obstacles the box overlaps by more than half a pixel
//   await shot(page, browserName, name, { fullPage })   saves out/ux/<browser>/<name>.png, returns the path
//   await axe(page, { banner })           axe-core violations (serious/critical) of the page, or of
//                                         the banner only ({ banner: true })
//   await openExtensionPage(browser, fxContext, file)
//                                         Firefox: extension pages cannot be navigated to over BiDi;
//                                         from an extension page we already have (fxContext), open
//                                         another one with tabs.create and return its puppeteer Page
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const require = createRequire(import.meta.url);
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const OUT = path.join(ROOT, 'out', 'ux');
const HOST_TAG = 'ringfence-warning';

const isFirefox = (page) => page.browser().ringfenceKind === 'firefox';

async function bidiHostShadow(page) {
  const res = await page.browser().connection.send('script.evaluate', {
    expression: `document.documentElement.querySelector(':scope > ${HOST_TAG}')`, awaitPromise: false,
    target: { context: page.mainFrame()._id }, serializationOptions: { maxDomDepth: 1, includeShadowTree: 'all' },
  });
  const v = res.result.result;
  return v?.type === 'node' ? v.value?.shadowRoot?.sharedId ?? null : null;
}

/** fn(root, ...args) with the banner's closed shadow root, in the page's main world; null without a banner. */
export async function shadowEval(page, fn, ...args) {
  // CDP passes the root as `this`, BiDi as the first argument.
  const decl = `function (r) { return JSON.stringify((${fn.toString()})(r ?? this, ...${JSON.stringify(args)})); }`;
  if (isFirefox(page)) {
    const shared = await bidiHostShadow(page);
    if (!shared) return null;
    const res = await page.browser().connection.send('script.callFunction', {
      functionDeclaration: decl, arguments: [{ sharedId: shared }], awaitPromise: true,
      target: { context: page.mainFrame()._id },
    });
    const r = res.result;
    if (r.type === 'exception') throw new Error(`shadowEval: ${r.exceptionDetails?.text}`);
    return r.result.type === 'string' ? JSON.parse(r.result.value) : null;
  }
  const cdp = await page.createCDPSession();
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const html = root.children?.find((c) => c.nodeName === 'HTML');
    const host = html?.children?.find((c) => c.localName === HOST_TAG);
    const sr = host?.shadowRoots?.[0];
    if (!sr) return null;
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: sr.backendNodeId });
    const r = await cdp.send('Runtime.callFunctionOn', { functionDeclaration: decl, objectId: object.objectId, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`shadowEval: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value === undefined ? null : JSON.parse(r.result.value);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** What the banner shows and where, read inside its closed shadow root. */
export async function bannerState(page) {
  return shadowEval(page, (root) => {
    const rect = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; };
    const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const card = root.querySelector('.card');
    const box = root.querySelector('.guard-box');
    const focus = root.activeElement;
    const label = (el) => el?.getAttribute('aria-label') || el?.textContent.replace(/\s+/g, ' ').trim() || '';
    return {
      rule: card?.dataset.rule ?? null,
      level: card?.dataset.level ?? null,
      role: card?.getAttribute('role') ?? null,
      live: card?.getAttribute('aria-live') ?? null,
      expanded: card ? card.dataset.expanded === 'true' : null,
      hidden: card ? !visible(card) : null,
      inert: card ? card.inert : null,
      text: card ? card.textContent.replace(/\s+/g, ' ').trim() : '',
      visibleText: card ? card.innerText.replace(/\s+/g, ' ').trim() : '',
      actions: card ? [...card.querySelectorAll('[data-action]')].filter(visible).map((b) => b.dataset.action) : [],
      allActions: card ? [...card.querySelectorAll('[data-action]')].map((b) => b.dataset.action) : [],
      box: card && visible(card) ? rect(card) : null,
      toggle: (() => { const t = card?.querySelector('[aria-expanded]'); return t ? { expanded: t.getAttribute('aria-expanded'), controls: t.getAttribute('aria-controls'), label: label(t) } : null; })(),
      note: card?.querySelector('.note')?.textContent ?? '',
      guard: box ? {
        role: box.getAttribute('role'), modal: box.getAttribute('aria-modal'),
        title: root.getElementById(box.getAttribute('aria-labelledby') ?? '')?.textContent ?? null,
        rule: box.dataset.rule, box: rect(box), text: box.textContent.replace(/\s+/g, ' ').trim(),
        proceedDisabled: box.querySelector('[data-action=proceed]')?.disabled ?? null,
      } : null,
      focus: focus ? { action: focus.dataset?.action ?? null, inGuard: !!box?.contains(focus), inCard: !!card?.contains(focus), tag: focus.tagName } : null,
    };
  });
}

/** The page's interactive controls the user can reach (not under a modal backdrop) and its dialogs' titles. */
export async function pageObstacles(page) {
  return page.evaluate((hostTag) => {
    const SEL = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [role=tab], '
      + '[role=menuitem], [role=radio], [role=checkbox], [role=switch], [role=option], [tabindex]:not([tabindex="-1"])';
    const vw = innerWidth, vh = innerHeight;
    const out = [];
    const ours = (el) => el.localName === hostTag;
    const reachable = (el, r) => {
      const x = Math.min(vw - 1, Math.max(0, r.left + r.width / 2));
      const y = Math.min(vh - 1, Math.max(0, r.top + r.height / 2));
      const top = document.elementsFromPoint(x, y).find((e) => !ours(e));
      return !!top && (top === el || el.contains(top) || top.contains(el));
    };
    const add = (what, el, needReach) => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) return;
      if (needReach && !reachable(el, r)) return;
      out.push({ what, left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    };
    for (const el of document.querySelectorAll(SEL)) {
      const desc = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30)}"`;
      add(desc, el, true);
    }
    for (const d of document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog]')) {
      const ids = (d.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
      const titles = [...ids.map((id) => document.getElementById(id)).filter(Boolean), ...d.querySelectorAll('h1, h2, h3')];
      for (const h of new Set(titles)) add(`dialog title "${h.textContent.trim().slice(0, 40)}"`, h, false);
    }
    return out;
  }, HOST_TAG);
}

export function intersecting(box, obstacles) {
  return obstacles.filter((o) => Math.min(box.right, o.right) - Math.max(box.left, o.left) > 0.5
    && Math.min(box.bottom, o.bottom) - Math.max(box.top, o.top) > 0.5);
}

export async function shot(page, browserName, name, { fullPage = false } = {}) {
  const dir = path.join(OUT, browserName);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

const IMPACT = new Set(['serious', 'critical']);

/** axe-core over the page, or over the banner's closed shadow tree only; serious and critical violations. */
export async function axe(page, { banner = false } = {}) {
  await page.evaluate(`${AXE_SOURCE}\n;void 0;`);
  if (banner) {
    // axe walks shadow trees through element.shadowRoot, which a closed root hides: hand it the root
    // on the host element, in the main world only (the extension's isolated world is untouched).
    const ok = await shadowEval(page, (root) => {
      Object.defineProperty(root.host, 'shadowRoot', { configurable: true, get: () => root });
      return true;
    });
    if (!ok) throw new Error('axe: no banner');
  }
  const results = await page.evaluate(async (onlyBanner, hostTag) => {
    const context = onlyBanner ? document.querySelector(hostTag) : document;
    const r = await window.axe.run(context, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' > ')}: ${n.failureSummary}`).slice(0, 5) }));
  }, banner, HOST_TAG);
  return results.filter((v) => IMPACT.has(v.impact));
}

/** Firefox: opens an extension page from an extension page we already hold, returns its Page. */
export async function openExtensionPage(browser, fromPage, file, { window: asWindow = false } = {}) {
  const before = new Set((await browser.connection.send('browsingContext.getTree', {})).result.contexts.map((c) => c.context));
  await fromPage.evaluate(async (f, w) => {
    const url = browser.runtime.getURL(f);
    if (w) await browser.windows.create({ url, type: 'popup', width: 380, height: 640 });
    else await browser.tabs.create({ url });
  }, file, asWindow);
  let ctx;
  for (let i = 0; i < 100 && !ctx; i++) {
    const tree = (await browser.connection.send('browsingContext.getTree', {})).result.contexts;
    ctx = tree.find((c) => !before.has(c.context) && c.url.endsWith(file))?.context;
    if (!ctx) await new Promise((r) => setTimeout(r, 100));
  }
  if (!ctx) throw new Error(`${file} did not open`);
  const pages = await browser.pages();
  const page = pages.find((p) => p.mainFrame()._id === ctx);
  if (!page) throw new Error(`no puppeteer page for ${file}`);
  return page;
}
