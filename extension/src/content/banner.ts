// The warning banner and the click-guard interstitial. They live in a closed shadow root on our own
// element, styled with `all: initial !important` inline, shown in the top layer (popover) where
// supported, and put back if the page removes or restyles the element: the page can neither read,
// restyle, hide nor spoof it. Buttons act only on trusted (user) events.
import type { Level } from './rules/match';
import { BANNER_CSS } from './banner-css';
import { markOwnUi } from '../shared/own-ui';

export type Translate = (key: string, subs?: string[]) => string;

export interface BannerModel {
  ruleId: string;
  severity: string;
  message: string;
  losses: string[];
  level: Level;
  confirm: string[];
  personal: string;
  anchor: DOMRect | null;
  /** Rects the card must not cover (the matched controls). */
  avoid: DOMRect[];
}

export interface BannerHandlers {
  onSnapshot(ruleId: string): void;
  onDismiss(ruleId: string): void;
}

const HOST_STYLE = [
  'all: initial !important', 'display: block !important', 'position: fixed !important',
  'inset: auto !important', 'top: 0 !important', 'left: 0 !important', 'width: 0 !important',
  'height: 0 !important', 'margin: 0 !important', 'padding: 0 !important', 'border: 0 !important',
  'overflow: visible !important', 'z-index: 2147483647 !important', 'visibility: visible !important',
  'opacity: 1 !important', 'transform: none !important', 'filter: none !important',
  'clip-path: none !important', 'pointer-events: none !important', 'contain: none !important',
  'background: transparent !important',
].join(';');

export const EXPORT_URL = 'https://chatgpt.com/#settings/DataControls';
const PROCEED_DELAY_MS = 500;

export class Banner {
  private host: HTMLElement | null = null;
  private root: ShadowRoot | null = null;
  private guardCleanup: (() => void) | null = null;
  private healer: MutationObserver | null = null;
  private wantOpen = false;

  constructor(private doc: Document, private t: Translate, private handlers: BannerHandlers) {}

  private ensureHost(): ShadowRoot {
    if (this.host && this.root) {
      this.attach();
      return this.root;
    }
    const host = this.doc.createElement('ringfence-warning');
    markOwnUi(host);
    host.setAttribute('style', HOST_STYLE);
    const root = host.attachShadow({ mode: 'closed' });
    const style = this.doc.createElement('style');
    style.textContent = BANNER_CSS;
    root.append(style);
    this.host = host;
    this.root = root;
    if ('popover' in host) {
      host.setAttribute('popover', 'manual');
      // The page may call hidePopover() on us; re-open unless we closed it ourselves.
      host.addEventListener('toggle', (e) => {
        if ((e as ToggleEvent).newState === 'closed' && this.wantOpen) queueMicrotask(() => this.raise());
      });
    }
    this.healer = new MutationObserver(() => this.heal());
    this.attach();
    return root;
  }

  private attach(): void {
    const host = this.host!;
    const parent = this.doc.documentElement;
    if (host.parentNode !== parent) {
      // Re-inserting restarts CSS animations: a page that keeps removing us would hold the card
      // at the animation's first (transparent) frame. Put back, it appears without animating.
      if (host.isConnected === false && this.root) for (const c of Array.from(this.root.querySelectorAll('.card'))) c.classList.add('settled');
      parent.append(host);
    }
    if (host.getAttribute('style') !== HOST_STYLE) host.setAttribute('style', HOST_STYLE);
    for (const a of Array.from(host.attributes)) {
      if (a.name !== 'style' && a.name !== 'popover') host.removeAttribute(a.name);
    }
    this.healer!.disconnect();
    this.healer!.observe(parent, { childList: true });
    this.healer!.observe(host, { attributes: true });
    this.raise();
  }

  // A page that removes us on every insertion would otherwise ping-pong with us in microtasks and
  // freeze; past a few heals in a short window we fall back to healing from a timer.
  private heals: number[] = [];
  private healTimer = 0;

  private heal(): void {
    if (!this.host || !this.wantOpen) return;
    const now = performance.now();
    this.heals = this.heals.filter((t) => now - t < 1000);
    this.heals.push(now);
    if (this.heals.length > 500) {
      if (!this.healTimer) this.healTimer = setTimeout(() => { this.healTimer = 0; this.repair(); }, 100) as unknown as number;
      return;
    }
    this.repair();
  }

  private repair(): void {
    if (!this.host || !this.wantOpen) return;
    const h = this.host;
    const attrsOk = h.getAttribute('style') === HOST_STYLE && h.attributes.length <= 2;
    if (h.parentNode !== this.doc.documentElement || !attrsOk) this.attach();
  }

  private raise(): void {
    const h = this.host as HTMLElement & { showPopover?: () => void; matches(s: string): boolean };
    if (!this.wantOpen || !h.isConnected || !h.showPopover) return;
    try {
      if (!h.matches(':popover-open')) h.showPopover();
    } catch { /* not in a document that supports the top layer: fixed + max z-index still apply */ }
  }

  /** Shows (or updates) the banner for the most severe match; null hides it. */
  render(model: BannerModel | null): void {
    if (!model) { this.hideBanner(); return; }
    this.wantOpen = true;
    const root = this.ensureHost();
    let card = root.querySelector<HTMLElement>('.card');
    const key = `${model.ruleId}|${model.level}|${model.personal}|${model.confirm.join()}`;
    if (!card || card.dataset.key !== key) {
      card?.remove();
      card = this.buildCard(model);
      card.dataset.key = key;
      root.append(card);
    }
    this.position(card, model);
  }

  private buildCard(m: BannerModel): HTMLElement {
    const d = this.doc;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] => {
      const e = d.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const escalated = m.level === 'dialog';
    const card = el('section', `card sev-${m.severity}${escalated ? ' escalated' : ''}`);
    card.setAttribute('role', 'alert');
    card.setAttribute('aria-live', 'assertive');
    card.dataset.rule = m.ruleId;
    card.dataset.level = m.level;
    card.dataset.severity = m.severity;
    const title = el('h2', 'title', this.t(`${m.message}_title`));
    const titleId = 'rf-title';
    title.id = titleId;
    card.setAttribute('aria-labelledby', titleId);
    if (escalated) card.append(el('p', 'final', this.t('banner_final_step')));
    card.append(title, el('p', 'body', this.t(`${m.message}_body`)));
    if (m.losses.length) {
      const ul = el('ul', 'losses');
      for (const l of m.losses) ul.append(el('li', '', this.t(`loss_${l}`)));
      card.append(ul);
    }
    if (m.personal) card.append(el('p', 'personal', m.personal));
    if (escalated && m.confirm.length) card.append(el('p', 'confirm', this.t('banner_confirm_hint')));
    const actions = el('div', 'actions');
    const snap = el('button', 'primary', this.t('banner_snapshot'));
    snap.type = 'button';
    snap.dataset.action = 'snapshot';
    snap.addEventListener('click', (e) => { if (e.isTrusted) this.handlers.onSnapshot(m.ruleId); });
    const exp = el('a', 'secondary', this.t('banner_export'));
    exp.href = EXPORT_URL;
    exp.target = '_blank';
    exp.rel = 'noopener noreferrer';
    exp.dataset.action = 'export';
    const dismiss = el('button', 'secondary', this.t('banner_dismiss'));
    dismiss.type = 'button';
    dismiss.dataset.action = 'dismiss';
    dismiss.addEventListener('click', (e) => { if (e.isTrusted) this.handlers.onDismiss(m.ruleId); });
    actions.append(snap, exp, dismiss);
    card.append(actions, el('p', 'brand', 'Ringfence'));
    return card;
  }

  // Escalated warnings sit next to the confirmation dialog (above it when there is room, else
  // below). Otherwise the card takes the first viewport corner that covers neither the matched
  // controls nor the dialog: a warning must never sit on top of what it warns about.
  private position(card: HTMLElement, m: BannerModel): void {
    const view = this.doc.defaultView!;
    const vw = view.innerWidth;
    const vh = view.innerHeight;
    let width = Math.min(400, vw - 16);
    card.style.width = `${width}px`;
    card.style.right = 'auto';
    card.style.bottom = 'auto';
    let h = card.offsetHeight || 240;
    const place = (left: number, top: number): void => {
      card.style.left = `${Math.round(left)}px`;
      card.style.top = `${Math.round(top)}px`;
    };
    const a = m.anchor;
    if (m.level === 'dialog' && a && a.width > 0) {
      const left = Math.max(8, Math.min(a.left, vw - width - 8));
      if (a.top - h - 8 >= 8) { place(left, a.top - h - 8); return; }
      if (a.bottom + h + 8 <= vh) { place(left, a.bottom + 8); return; }
      // Beside the dialog, narrower if need be (but still readable).
      const right = vw - a.right - 16;
      const leftSpace = a.left - 16;
      const side = Math.max(right, leftSpace);
      if (side >= 260) {
        width = Math.min(400, side);
        card.style.width = `${width}px`;
        h = card.offsetHeight || h;
        const top = Math.max(8, Math.min(a.top, vh - h - 8));
        place(right >= leftSpace ? a.right + 8 : a.left - width - 8, top);
        return;
      }
    }
    const avoid = [...m.avoid, ...(a && a.width > 0 ? [a] : [])];
    const overlap = (l: number, t: number): number => avoid.reduce((sum, r) =>
      sum + Math.max(0, Math.min(l + width, r.right) - Math.max(l, r.left)) * Math.max(0, Math.min(t + h, r.bottom) - Math.max(t, r.top)), 0);
    const corners: [number, number][] = [[vw - width - 12, 12], [vw - width - 12, vh - h - 12], [12, 12], [12, vh - h - 12]];
    // The first corner that covers nothing; failing that, the one that covers least.
    const [l, t] = corners.reduce((best, c) => (overlap(c[0], c[1]) < overlap(best[0], best[1]) ? c : best));
    place(l, t);
  }

  private hideBanner(): void {
    this.root?.querySelector('.card')?.remove();
    if (!this.root?.querySelector('.guard')) this.detach();
  }

  private detach(): void {
    this.wantOpen = false;
    this.healer?.disconnect();
    this.host?.remove();
  }

  /** A short status line under the banner's actions (e.g. what a snapshot left out). */
  note(text: string): void {
    const card = this.root?.querySelector('.card');
    if (!card) return;
    let p = card.querySelector<HTMLElement>('.note');
    if (!p) {
      p = this.doc.createElement('p');
      p.className = 'note';
      p.setAttribute('role', 'status');
      card.querySelector('.brand')?.before(p);
    }
    p.textContent = text;
  }

  /** The confirm-mode interstitial. Resolves true when the user chose to proceed. */
  guard(m: BannerModel): Promise<boolean> {
    this.guardCleanup?.();
    this.wantOpen = true;
    const root = this.ensureHost();
    const d = this.doc;
    return new Promise((resolve) => {
      const overlay = d.createElement('div');
      overlay.className = 'guard';
      const box = d.createElement('div');
      box.className = 'guard-box';
      box.setAttribute('role', 'alertdialog');
      box.setAttribute('aria-modal', 'true');
      box.dataset.rule = m.ruleId;
      const h = d.createElement('h2');
      h.id = 'rf-guard-title';
      h.textContent = this.t('guard_title');
      box.setAttribute('aria-labelledby', h.id);
      const p = d.createElement('p');
      p.textContent = this.t(`${m.message}_body`);
      const ul = d.createElement('ul');
      for (const l of m.losses) { const li = d.createElement('li'); li.textContent = this.t(`loss_${l}`); ul.append(li); }
      const actions = d.createElement('div');
      actions.className = 'actions';
      const cancel = d.createElement('button');
      cancel.type = 'button';
      cancel.className = 'primary';
      cancel.dataset.action = 'cancel';
      cancel.textContent = this.t('guard_cancel');
      const proceed = d.createElement('button');
      proceed.type = 'button';
      proceed.className = 'secondary';
      proceed.dataset.action = 'proceed';
      proceed.textContent = this.t('guard_proceed');
      proceed.disabled = true;
      const shownAt = performance.now();
      const timer = setTimeout(() => { proceed.disabled = false; }, PROCEED_DELAY_MS);
      actions.append(cancel, proceed);
      box.append(h, p, ul, actions);
      overlay.append(box);
      root.append(overlay);
      cancel.focus();
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        overlay.remove();
        d.removeEventListener('keydown', onKey, true);
        this.guardCleanup = null;
        if (!root.querySelector('.card')) this.detach();
        resolve(ok);
      };
      const onKey = (e: KeyboardEvent): void => {
        if (e.isTrusted && e.key === 'Escape') { e.preventDefault(); e.stopImmediatePropagation(); finish(false); }
      };
      d.addEventListener('keydown', onKey, true);
      cancel.addEventListener('click', (e) => { if (e.isTrusted) finish(false); });
      proceed.addEventListener('click', (e) => {
        if (e.isTrusted && !proceed.disabled && performance.now() - shownAt >= PROCEED_DELAY_MS) finish(true);
      });
      this.guardCleanup = () => finish(false);
    });
  }
}
