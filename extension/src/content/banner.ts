// The warning banner and the click guard. They live in a closed shadow root on our own element,
// shown in the top layer (popover) where supported, and put back if the page removes or restyles
// the element: the page can neither read, restyle, hide nor spoof them. Buttons act only on trusted
// (user) events.
//
// The banner is a one-line bar (title, Details, the rule's first action, Dismiss) placed where it
// covers none of the page's controls and dialog titles (placement.ts); its details (what is lost,
// the other actions, the 30-day snooze) expand on request, and by themselves when a confirmation
// step opens, if they fit beside it. The click guard is a modal dialog: focus moves into it and
// stays there, the page behind is inert, Escape and "Go back" return focus where it was.
import type { Level } from './rules/match';
import type { RuleAction } from '../shared/rules/types';
import { BANNER_CSS } from './banner-css';
import { markOwnUi } from '../shared/own-ui';
import { collectObstacles, mayHoldControl, type Obstacles } from './obstacles';
import { place, type Placement, type Size } from './placement';

export type Translate = (key: string, subs?: string[]) => string;

/** What a rule may offer besides Dismiss and the snooze (rules.json `actions`). */
export type BannerAction = RuleAction;

export interface BannerModel {
  ruleId: string;
  severity: string;
  message: string;
  losses: string[];
  actions: BannerAction[];
  level: Level;
  confirm: string[];
  personal: string;
  /** The confirmation dialog the warning escalated on. */
  dialog: Element | null;
  /** The matched controls: never covered. */
  controls: Element[];
}

export interface BannerHandlers {
  onSnapshot(ruleId: string): void;
  onDismiss(ruleId: string): void;
  onSnooze(ruleId: string): void;
  onOptions(): void;
}

// Where the link actions go: the provider's own pages, opened in a new tab.
export const ACTION_URLS: Record<Exclude<BannerAction, 'snapshot'>, string> = {
  export: 'https://chatgpt.com/#settings/DataControls',
  keys: 'https://platform.openai.com/api-keys',
  help: 'https://help.openai.com/',
};

// Only layout properties here, each !important (inline important declarations beat page styles);
// no `all` shorthand, which would also pin the text-spacing properties users may override.
const HOST_STYLE = [
  'display: block !important', 'position: fixed !important',
  'inset: auto !important', 'top: 0 !important', 'left: 0 !important', 'width: 0 !important',
  'height: 0 !important', 'margin: 0 !important', 'padding: 0 !important', 'border: 0 !important',
  'overflow: visible !important', 'z-index: 2147483647 !important', 'visibility: visible !important',
  'opacity: 1 !important', 'transform: none !important', 'filter: none !important',
  'clip-path: none !important', 'pointer-events: none !important', 'contain: none !important',
  'background: transparent !important',
].join(';');

const PROCEED_DELAY_MS = 500;
const BAR_WIDTHS = [760, 620, 500, 420];
const CARD_WIDTHS = [420, 360];

export class Banner {
  private host: HTMLElement | null = null;
  private root: ShadowRoot | null = null;
  private guardCleanup: (() => void) | null = null;
  private healer: MutationObserver | null = null;
  private wantOpen = false;
  private model: BannerModel | null = null;
  /** The user's choice for the current card (null: automatic). */
  private userExpanded: boolean | null = null;
  private obstacles: Obstacles | null = null;
  private measuredKey = '';
  /** What the obstacles were measured with: the matched controls, the anchor dialog, the page's dialogs. */
  private measuredWith: { controls: Element[]; dialog: Element | null; dialogs: Element[] | undefined } | null = null;
  /**
   * The elements whose boxes were read (`inside`); those in view with all their ancestors
   * (`around`); the last of those in view in document order.
   */
  private inside = new Set<Node>();
  private around = new Set<Node>();
  private lastInView: Element | null = null;
  /** The page's dialogs, kept by the content script (content/dialogs.ts). */
  private dialogs: Element[] | undefined;
  /** The viewport, read on resize only: innerWidth may itself force a layout. */
  private view: { width: number; height: number };
  private reflowQueued = false;
  private guardOpen = false;
  private placedKey = '';

  constructor(private doc: Document, private t: Translate, private handlers: BannerHandlers, private lang = 'en') {
    const view = doc.defaultView!;
    this.view = { width: view.innerWidth, height: view.innerHeight };
    const again = (): void => this.invalidate();
    view.addEventListener('resize', () => {
      this.view = { width: view.innerWidth, height: view.innerHeight };
      again();
    }, { passive: true });
    view.addEventListener('scroll', again, { passive: true, capture: true });
  }

  /**
   * The DOM changes since the last pass (null: too many to list) and the page's dialogs now. The
   * obstacles are measured again only when a change may have moved one that is in view: a change
   * inside a measured element; an attribute change, or an insertion or removal before other
   * children, in an ancestor of one in view; content added or removed at the end of an element
   * that one in view follows (content at the end of an element moves only what comes after it,
   * and what is below the viewport stays below it; scrolling is an event of its own); a dialog
   * opened or closed; or, when controls are looked for in the whole document, an added control.
   * Otherwise a pass reads no layout at all.
   */
  domChanged(records: MutationRecord[] | null, dialogs: Element[]): void {
    this.dialogs = dialogs;
    if (this.obstacles && (records === null || dialogs !== this.measuredWith?.dialogs || records.some((r) => this.moves(r)))) {
      this.obstacles = null;
    }
  }

  private moves(r: MutationRecord): boolean {
    const t = r.target;
    for (let x: Node | null = t; x; x = x.parentNode) if (this.inside.has(x)) return true;
    if (r.type !== 'childList') return this.around.has(t);
    if (this.around.has(t) && r.nextSibling !== null) return true;
    const last = this.lastInView;
    if (last && !t.contains(last) && t.compareDocumentPosition(last) & Node.DOCUMENT_POSITION_FOLLOWING) return true;
    if (this.obstacles?.wholeDocument) {
      for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1 && mayHoldControl(n as Element)) return true;
    }
    return false;
  }

  /** The page moved or resized: measure and place again in the next frame. */
  invalidate(): void {
    this.obstacles = null;
    if (this.reflowQueued || !this.model) return;
    this.reflowQueued = true;
    requestAnimationFrame(() => {
      this.reflowQueued = false;
      const card = this.root?.querySelector<HTMLElement>('.card');
      if (card && this.model) this.position(card, this.model);
    });
  }

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
    if (!model) { this.model = null; this.hideBanner(); return; }
    this.wantOpen = true;
    const root = this.ensureHost();
    let card = root.querySelector<HTMLElement>('.card');
    const key = `${model.ruleId}|${model.level}|${model.personal}|${model.confirm.join()}|${model.actions.join()}`;
    if (!card || card.dataset.key !== key) {
      const note = card?.querySelector('.note')?.textContent ?? '';
      if (card?.dataset.rule !== model.ruleId || card?.dataset.level !== model.level) this.userExpanded = null;
      card?.remove();
      card = this.buildCard(model);
      card.dataset.key = key;
      if (note && card.dataset.rule === model.ruleId) this.setNote(card, note);
      root.append(card);
      this.obstacles = null;
    }
    this.model = model;
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
    const button = (action: string, cls: string, text: string, onClick: () => void): HTMLButtonElement => {
      const b = el('button', cls, text);
      b.type = 'button';
      b.dataset.action = action;
      b.addEventListener('click', (e) => { if (e.isTrusted) onClick(); });
      return b;
    };
    const action = (a: BannerAction, cls: string): HTMLElement => {
      if (a === 'snapshot') return button('snapshot', cls, this.t('banner_snapshot'), () => this.handlers.onSnapshot(m.ruleId));
      const link = el('a', cls, this.t(`banner_${a}`));
      link.href = ACTION_URLS[a];
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.dataset.action = a;
      return link;
    };
    const escalated = m.level === 'dialog';
    const card = el('section', `card sev-${m.severity}${escalated ? ' escalated' : ''}`);
    card.lang = this.lang;
    // Calm by default; only a confirmation step that is open right now interrupts.
    card.setAttribute('role', escalated ? 'alert' : 'status');
    card.setAttribute('aria-labelledby', 'rf-title');
    card.dataset.rule = m.ruleId;
    card.dataset.level = m.level;
    card.dataset.severity = m.severity;

    const bar = el('div', 'bar');
    const icon = el('span', 'icon');
    icon.setAttribute('aria-hidden', 'true');
    const heading = el('h2', 'title');
    heading.id = 'rf-title';
    if (escalated) heading.append(el('span', 'final', `${this.t('banner_final_step')}: `));
    heading.append(this.t(`${m.message}_title`));
    heading.title = this.t(`${m.message}_title`);
    const toggle = button('details', 'toggle', this.t('banner_details'), () => this.toggle());
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', 'rf-details');
    const [first, ...rest] = m.actions;
    bar.append(icon, heading, toggle);
    if (first) bar.append(action(first, 'primary'));
    bar.append(button('dismiss', 'secondary', this.t('banner_dismiss'), () => this.handlers.onDismiss(m.ruleId)));

    const details = el('div', 'details');
    details.id = 'rf-details';
    details.hidden = true;
    details.append(el('p', 'body', this.t(`${m.message}_body`)));
    if (m.losses.length) {
      const ul = el('ul', 'losses');
      for (const l of m.losses) ul.append(el('li', '', this.t(`loss_${l}`)));
      details.append(ul);
    }
    if (m.personal) details.append(el('p', 'personal', m.personal));
    if (escalated && m.confirm.length) details.append(el('p', 'confirm', this.t('banner_confirm_hint')));
    if (rest.length) {
      const actions = el('div', 'actions');
      for (const a of rest) actions.append(action(a, 'secondary'));
      details.append(actions);
    }
    const more = el('div', 'more');
    more.append(
      button('snooze', 'link', this.t('banner_snooze'), () => this.handlers.onSnooze(m.ruleId)),
      button('options', 'link', this.t('banner_options'), () => this.handlers.onOptions()),
    );
    details.append(more);
    const note = el('p', 'note');
    note.setAttribute('role', 'status');
    note.hidden = true;
    card.append(bar, details, note);
    return card;
  }

  private toggle(): void {
    const card = this.root?.querySelector<HTMLElement>('.card');
    if (!card || !this.model) return;
    this.userExpanded = card.dataset.expanded !== 'true';
    this.position(card, this.model);
  }

  private setExpanded(card: HTMLElement, on: boolean): void {
    card.dataset.expanded = String(on);
    card.classList.toggle('expanded', on);
    card.querySelector<HTMLElement>('.details')!.hidden = !on;
    card.querySelector('[data-action=details]')!.setAttribute('aria-expanded', String(on));
  }

  /** Sizes the card would have at each width (the layout of our own shadow tree only). */
  private measure(card: HTMLElement, widths: number[], expanded: boolean, vw: number): Size[] {
    this.setExpanded(card, expanded);
    const out: Size[] = [];
    const max = vw - 16;
    if (!expanded) {
      card.style.width = 'max-content';
      const natural = Math.min(card.offsetWidth + 2, max);
      widths = [natural, ...widths.filter((w) => w < natural)];
    }
    for (const w of widths) {
      const width = Math.min(w, max);
      if (out.some((s) => s.width === width)) continue;
      card.style.width = `${width}px`;
      out.push({ width, height: card.offsetHeight });
    }
    return out;
  }

  // The bar goes where it covers nothing the user may need (controls, dialog titles, and the
  // confirmation dialog itself); the details are shown by themselves only where they fit too.
  private position(card: HTMLElement, m: BannerModel): void {
    const vw = this.view.width;
    const vh = this.view.height;
    const key = `${m.ruleId}|${m.level}|${vw}x${vh}`;
    const placeKey = `${key}|${card.dataset.key}|${this.userExpanded}|${this.guardOpen}|${card.querySelector('.note')?.textContent ?? ''}`;
    const w = this.measuredWith;
    if (!this.obstacles || key !== this.measuredKey || !w || w.dialog !== m.dialog || w.dialogs !== this.dialogs
      || w.controls.length !== m.controls.length || w.controls.some((c, i) => c !== m.controls[i])) {
      this.obstacles = collectObstacles(this.doc, m.dialog, m.controls, this.host, this.view, this.dialogs);
      this.measuredKey = key;
      this.measuredWith = { controls: m.controls, dialog: m.dialog, dialogs: this.dialogs };
      this.inside = new Set(this.obstacles.read);
      this.around = new Set();
      this.lastInView = null;
      for (const el of this.obstacles.inView) {
        for (let x: Node | null = el; x && !this.around.has(x); x = x.parentNode) this.around.add(x);
        if (!this.lastInView || this.lastInView.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) this.lastInView = el;
      }
    } else if (placeKey === this.placedKey && card.style.left) {
      return; // nothing moved: no layout read on this pass
    }
    this.placedKey = placeKey;
    const { hard, soft } = this.obstacles;
    const size = { width: vw, height: vh };
    const r = m.dialog?.getBoundingClientRect();
    const near = r && r.width > 0 ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : undefined;
    const guard = this.guardOpen;
    const wantExpanded = !guard && (this.userExpanded ?? m.level === 'dialog');
    let p: Placement | null = null;
    let expanded = false;
    if (wantExpanded) {
      const q = place(size, this.measure(card, CARD_WIDTHS, true, vw), hard, soft, near);
      if (q.hard === 0 || this.userExpanded) { p = q; expanded = true; }
    }
    if (!p) p = place(size, this.measure(card, BAR_WIDTHS, false, vw), hard, soft, near);
    this.setExpanded(card, expanded);
    card.style.width = `${p.width}px`;
    card.style.left = `${p.left}px`;
    card.style.top = `${p.top}px`;
    card.dataset.dock = p.top <= 8 ? 'top' : p.top + p.height >= vh - 8 ? 'bottom' : 'free';
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

  private setNote(card: Element, text: string): void {
    const p = card.querySelector<HTMLElement>('.note')!;
    p.textContent = text;
    p.hidden = !text;
  }

  /** A short status line under the banner (what a snapshot stored, or why it could not). */
  note(text: string): void {
    const card = this.root?.querySelector<HTMLElement>('.card');
    if (!card) return;
    this.setNote(card, text);
    if (this.model) this.position(card, this.model);
  }

  /** The confirm-mode interstitial, a modal dialog. Resolves true when the user chose to proceed. */
  guard(m: BannerModel, trigger: Element): Promise<boolean> {
    this.guardCleanup?.();
    this.wantOpen = true;
    const root = this.ensureHost();
    const d = this.doc;
    // Where focus goes back to: what had it (a keyboard user's control), else the clicked control.
    const active = d.activeElement;
    const back = (active && active !== d.body && active !== this.host ? active : trigger) as HTMLElement;
    return new Promise((resolve) => {
      const overlay = d.createElement('div');
      overlay.className = 'guard';
      const box = d.createElement('div');
      box.className = 'guard-box';
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.lang = this.lang;
      box.dataset.rule = m.ruleId;
      const h = d.createElement('h2');
      h.id = 'rf-guard-title';
      h.textContent = this.t('guard_title');
      box.setAttribute('aria-labelledby', h.id);
      const p = d.createElement('p');
      p.id = 'rf-guard-body';
      p.textContent = this.t(`${m.message}_body`);
      box.setAttribute('aria-describedby', p.id);
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
      box.append(h, p);
      if (m.losses.length) box.append(ul);
      box.append(actions);
      overlay.append(box);
      root.prepend(overlay);
      root.prepend(root.querySelector('style')!);
      // The page behind: inert (no focus, no clicks, hidden from assistive technology).
      const inerted: [HTMLElement, boolean][] = [];
      for (const c of Array.from(d.documentElement.children)) {
        if (c !== this.host && c instanceof HTMLElement) { inerted.push([c, c.inert]); c.inert = true; }
      }
      // The banner stays visible above the backdrop as a bar, but takes no focus while the guard is open.
      this.guardOpen = true;
      const card = root.querySelector<HTMLElement>('.card');
      if (card) { card.inert = true; if (this.model) this.position(card, this.model); }
      this.placeGuard(box, card);
      cancel.focus();
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        overlay.remove();
        d.removeEventListener('keydown', onKey, true);
        for (const [el, was] of inerted) el.inert = was;
        this.guardOpen = false;
        this.guardCleanup = null;
        const c = root.querySelector<HTMLElement>('.card');
        if (c) { c.inert = false; if (this.model) this.position(c, this.model); } else this.detach();
        if (!ok && back.isConnected) back.focus();
        resolve(ok);
      };
      // Keys reach the document as events retargeted to our host: Escape closes, Tab cycles
      // through the guard's own buttons (the page is inert, so nothing else could take focus).
      const onKey = (e: KeyboardEvent): void => {
        if (!e.isTrusted) return;
        if (e.key === 'Escape') { e.preventDefault(); e.stopImmediatePropagation(); finish(false); return; }
        if (e.key !== 'Tab') return;
        e.preventDefault();
        e.stopImmediatePropagation();
        const items = [cancel, proceed].filter((b) => !b.disabled);
        const i = items.indexOf(root.activeElement as HTMLButtonElement);
        const next = e.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : (i + 1) % items.length;
        items[next]?.focus();
      };
      d.addEventListener('keydown', onKey, true);
      cancel.addEventListener('click', (e) => { if (e.isTrusted) finish(false); });
      proceed.addEventListener('click', (e) => {
        if (e.isTrusted && !proceed.disabled && performance.now() - shownAt >= PROCEED_DELAY_MS) finish(true);
      });
      this.guardCleanup = () => finish(false);
    });
  }

  // Centred, or beside the banner's bar when the centre would touch it.
  private placeGuard(box: HTMLElement, card: HTMLElement | null): void {
    const vh = this.doc.defaultView!.innerHeight;
    if (!card) return;
    const c = card.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    if (b.bottom <= c.top - 8 || b.top >= c.bottom + 8) return;
    const below = vh - c.bottom;
    box.style.marginTop = '0';
    const overlay = box.parentElement!;
    overlay.style.alignItems = 'flex-start';
    const top = below >= c.top ? c.bottom + 16 : Math.max(8, c.top - b.height - 16);
    overlay.style.paddingTop = `${Math.round(top)}px`;
  }
}
