// Rule matching: the route gate (URL only, no DOM) and one scan of the DOM for the rules whose
// route matched. Pure functions over a Document so unit tests run them on happy-dom fixtures.
import type { ConfirmSpec, ControlRole, DialogRole, Lang, Rule, RuleFile, Texts } from '../../shared/rules/types';

// Simple selectors, queried one at a time: Chromium answers a single tag or attribute selector on
// a fast path but walks the whole tree slowly for a selector list (measured: 0.25 ms vs 3.3 ms on
// 50 000 nodes).
const ROLE_SELECTORS: Record<ControlRole | DialogRole, string[]> = {
  button: ['button', '[role="button"]', 'input[type="submit"]', 'input[type="button"]'],
  link: ['a[href]', '[role="link"]'],
  option: ['option', '[role="option"]'],
  radio: ['input[type="radio"]', '[role="radio"]'],
  menuitem: ['[role="menuitem"]'],
  dialog: ['dialog[open]', '[role="dialog"]'],
  alertdialog: ['[role="alertdialog"]'],
};
export const DIALOG_SCOPE = 'dialog[open],[role="dialog"],[role="alertdialog"]';

// Calls fn once per element matching any selector. A bare tag, or a tag with attribute tests
// (`input[type="submit"]`, `dialog[open]`), starts from getElementsByTagName (a cached live
// collection) and filters; NodeLists are walked by index (Array.from costs as much as the query);
// an element is skipped when an earlier selector already matched it.
function eachMatch(root: Document | Element, selectors: readonly string[], fn: (el: Element) => void): void {
  for (let i = 0; i < selectors.length; i++) {
    const sel = selectors[i];
    const tag = /^([a-z]+)(\[|$)/.exec(sel);
    const list = tag ? root.getElementsByTagName(tag[1]) : root.querySelectorAll(sel);
    const filter = tag !== null && tag[2] === '[';
    for (let k = 0; k < list.length; k++) {
      const el = list[k];
      if (filter && !el.matches(sel)) continue;
      let dup = false;
      for (let j = 0; j < i && !dup; j++) dup = el.matches(selectors[j]);
      if (!dup) fn(el);
    }
  }
}

function queryAll(root: Document | Element, selectors: readonly string[]): Element[] {
  const out: Element[] = [];
  eachMatch(root, selectors, (el) => out.push(el));
  return out;
}

// Rows that hold a label next to its button are small; a bigger ancestor is a whole panel and
// would let a bare "Delete" borrow the label of another row.
const CONTEXT_DEPTH = 4;
const CONTEXT_MAX_CHARS = 400;

/** Case-, width- and whitespace-insensitive text, with typographic quotes and dashes folded. */
export function normalize(s: string): string {
  return s.normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** normalize() plus trailing punctuation dropped: for exact label comparison. */
export function normalizeLabel(s: string): string {
  return normalize(s).replace(/[\s.…:!?？！。]+$/u, '');
}

interface CompiledControl { rule: CompiledRule; context: string[] | null; selector: string; inDialog: boolean; card: boolean }
type Control = { selector: string; labels: string[]; context: string[] | null; inDialog: boolean; card: boolean };
export interface CompiledRule {
  rule: Rule;
  controls: Control[];
  routes: { path?: RegExp; hash?: RegExp; overlay: boolean; announce: boolean }[];
  dialogs: { selectors: string[]; phrases: string[]; and: string[] | null; requireConfirm: boolean }[];
  pageText: string[];
  /** Error codes, each as a whole-token pattern over the raw visible text. */
  codes: RegExp[];
  confirm: ConfirmSpec[];
  /** Normalized "reauth" button labels per confirm entry (same order as `confirm`). */
  reauth: (string[] | null)[];
  /** Set by the route gate: the matched route announces (a 'page' level warning on arrival). */
  announce: boolean;
}

export interface RuleSet {
  rules: CompiledRule[];
  benign: Set<string>;
}

export interface Options {
  languages?: readonly string[];
  groups?: Record<string, boolean>;
}

function texts(t: Texts | undefined, langs: Set<string>, f: (s: string) => string): string[] {
  if (!t) return [];
  const out: string[] = [];
  for (const [lang, list] of Object.entries(t)) if (langs.has(lang)) for (const s of list ?? []) out.push(f(s));
  return out;
}

export function compileRules(file: RuleFile, opts: Options = {}): RuleSet {
  const langs = new Set<string>(opts.languages?.length ? opts.languages : file.languages);
  langs.add('en');
  const rules = file.rules
    .filter((r) => opts.groups?.[r.group] !== false)
    .map((rule): CompiledRule => ({
      rule,
      routes: rule.routes.map((r) => ({
        path: r.path !== undefined ? new RegExp(r.path, 'i') : undefined,
        hash: r.hash !== undefined ? new RegExp(r.hash, 'i') : undefined,
        overlay: r.overlay === true,
        announce: r.announce === true,
      })),
      controls: (rule.controls ?? []).map((c) => ({
        selector: c.roles.flatMap((r) => ROLE_SELECTORS[r]).join(','),
        labels: texts(c.text, langs, normalizeLabel),
        context: c.context ? texts(c.context, langs, normalizeLabel) : null,
        inDialog: c.scope === 'dialog',
        card: c.card === true,
      })),
      dialogs: (rule.dialogs ?? []).map((d) => ({
        selectors: d.roles.flatMap((r) => ROLE_SELECTORS[r]),
        phrases: texts(d.text, langs, normalize),
        and: d.and ? texts(d.and, langs, normalize) : null,
        requireConfirm: d.requireConfirm === true,
      })),
      pageText: texts(rule.pageText, langs, normalizeLabel),
      // A code is a token: "account_deactivated" inside a longer identifier is not the code.
      codes: (rule.codes ?? []).map((c) => new RegExp(`(?:^|[^a-z0-9_])${c}(?:[^a-z0-9_]|$)`, 'i')),
      confirm: rule.confirm ?? [],
      reauth: (rule.confirm ?? []).map((k) => k.kind === 'reauth' ? texts(k.text, langs, normalizeLabel) : null),
      announce: false,
    }));
  const benign = new Set(texts(file.benign, new Set(file.languages), normalizeLabel));
  return { rules, benign };
}

// Control lookup tables are built per set of active rules (the route gate's output) and cached.
interface ControlIndex {
  selector: string;
  /** Selectors of controls that may be anywhere, and of those that count only inside a dialog. */
  docSelectors: string[];
  dialogSelectors: string[];
  byText: Map<string, CompiledControl[]>;
  maxLabel: number;
  /** Some active control is a card: its title may be a descendant's text. */
  hasCard: boolean;
  /** Raw label → normalized label: pages repeat the same few labels thousands of times. */
  memo: Map<string, string>;
}
const indexCache = new WeakMap<CompiledRule[], ControlIndex>();

function controlIndex(active: CompiledRule[]): ControlIndex {
  const cached = indexCache.get(active);
  if (cached) return cached;
  const byText = new Map<string, CompiledControl[]>();
  const selectors = new Set<string>();
  const docSel = new Set<string>();
  const dialogSel = new Set<string>();
  for (const cr of active) {
    for (const c of cr.controls) {
      for (const sel of c.selector.split(',')) { selectors.add(sel); (c.inDialog ? dialogSel : docSel).add(sel); }
      for (const t of c.labels) {
        const list = byText.get(t) ?? [];
        list.push({ rule: cr, context: c.context, selector: c.selector, inDialog: c.inDialog, card: c.card });
        byText.set(t, list);
      }
    }
  }
  // Raw text far longer than any label cannot normalize to one (whitespace aside): skip it unread.
  const maxLabel = 4 * Math.max(0, ...[...byText.keys()].map((k) => k.length)) + 64;
  for (const sel of docSel) dialogSel.delete(sel);
  const hasCard = active.some((cr) => cr.controls.some((c) => c.card));
  const idx = { selector: [...selectors].join(','), docSelectors: [...docSel], dialogSelectors: [...dialogSel], byText, maxLabel, hasCard, memo: new Map<string, string>() };
  indexCache.set(active, idx);
  return idx;
}

export interface Loc { hostname: string; pathname: string; hash: string }

/**
 * The route gate: rules whose host and route match this URL. Touches no DOM. A rule admitted only by
 * an overlay route (settings opened as a dialog over any page) gets its controls restricted to
 * dialogs; a rule admitted by an announcing route warns on arrival. Both are per URL, so the gate
 * returns copies of the compiled rules.
 */
export function rulesForLocation(set: RuleSet, loc: Loc): CompiledRule[] {
  const host = loc.hostname.toLowerCase();
  const out: CompiledRule[] = [];
  for (const cr of set.rules) {
    if (!cr.rule.hosts.includes(host)) continue;
    const hits = cr.routes.filter((r) => (!r.path || r.path.test(loc.pathname)) && (!r.hash || r.hash.test(loc.hash)));
    if (!hits.length) continue;
    const overlayOnly = hits.every((r) => r.overlay);
    out.push({ ...cr, announce: hits.some((r) => r.announce),
      controls: overlayOnly ? cr.controls.map((c) => ({ ...c, inDialog: true })) : cr.controls });
  }
  return out;
}

export type Level = 'page' | 'control' | 'dialog';
const LEVEL_RANK: Record<Level, number> = { page: 1, control: 2, dialog: 3 };

export interface Match {
  rule: Rule;
  level: Level;
  controls: Element[];
  dialog: Element | null;
  confirm: ConfirmSpec['kind'][];
}


// The first CONTEXT_MAX_CHARS characters of an element's text, reading no further: bounded work even
// when an ancestor turns out to hold the whole page.
function boundedText(el: Element): { text: string; complete: boolean } {
  const walker = el.ownerDocument.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
  let text = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    text += n.nodeValue ?? '';
    if (text.length > CONTEXT_MAX_CHARS) return { text, complete: false };
  }
  return { text, complete: true };
}

/** Normalized bounded text per ancestor, shared by the controls of one pass (null: too long). */
export type TextCache = Map<Element, string | null>;

function contextMatches(el: Element, phrases: string[], cache: TextCache): boolean {
  let a = el.parentElement;
  for (let i = 0; a && i < CONTEXT_DEPTH; i++, a = a.parentElement) {
    let n = cache.get(a);
    if (n === undefined) {
      const { text, complete } = boundedText(a);
      n = complete ? normalize(text) : null;
      cache.set(a, n);
    }
    if (n === null) return false;
    if (phrases.some((p) => n.includes(p))) return true;
  }
  return false;
}

// A card's title is among its first elements; a control with more parts is not a card.
const CARD_PARTS = 12;

// Most labels on a page are plain ASCII with single spaces: lower-casing is all they need, and
// the full Unicode normalization runs only for the rest.
const NEEDS_NORMALIZE = /[^\x20-\x7e]|\s\s|^\s|\s$|[.:!?]$/;

/** Which active rules (if any) treat this element as a destructive control. */
export function controlRules(set: RuleSet, active: CompiledRule[], el: Element, cache: TextCache = new Map()): CompiledRule[] {
  const out: CompiledRule[] = [];
  const idx = controlIndex(active);
  const one = (raw: string | null, cardOnly = false): void => {
    if (!raw || raw.length > idx.maxLabel) return;
    let label = idx.memo.get(raw);
    if (label === undefined) {
      label = NEEDS_NORMALIZE.test(raw) ? normalizeLabel(raw) : raw.toLowerCase();
      if (idx.memo.size > 10_000) idx.memo.clear();
      idx.memo.set(raw, label);
    }
    const list = idx.byText.get(label);
    if (!list || set.benign.has(label)) return;
    for (const c of list) {
      if (cardOnly && !c.card) continue;
      if (!el.matches(c.selector)) continue;
      if (c.inDialog && !el.closest(DIALOG_SCOPE)) continue;
      if (c.context && !contextMatches(el, c.context, cache)) continue;
      if (!out.includes(c.rule)) out.push(c.rule);
    }
  };
  // The accessible name candidates, cheapest first; no array per element (pages have thousands).
  const aria = el.getAttribute('aria-label');
  one(aria);
  let text: string | null;
  if (el.tagName === 'INPUT') {
    const input = el as HTMLInputElement;
    if (input.labels) for (const l of Array.from(input.labels)) one(l.textContent);
    one(text = input.value);
  } else {
    one(text = el.textContent);
  }
  if (!aria && !text?.trim()) one(el.getAttribute('title'));
  // A card: one control holding a title and a description. Its name is its title: the text of
  // aria-labelledby, or of one of its first few descendants.
  if (idx.hasCard && !out.length && el.firstElementChild) {
    const by = el.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\s+/)) one(el.ownerDocument.getElementById(id)?.textContent ?? null, true);
    const parts = el.getElementsByTagName('*');
    for (let i = 0; i < parts.length && i < CARD_PARTS && !out.length; i++) one(parts[i].textContent, true);
  }
  return out;
}

/** The nearest ancestor-or-self that is a destructive control for an active rule. */
export function findControl(set: RuleSet, active: CompiledRule[], target: Element | null): { el: Element; rules: CompiledRule[] } | null {
  const idx = controlIndex(active);
  if (!idx.selector || !target) return null;
  const el = target.closest(idx.selector);
  if (!el) return null;
  const rules = controlRules(set, active, el);
  return rules.length ? { el, rules } : null;
}

// What a confirmation asks for, by what it contains: an input for a word it names, an email input
// (the real one has no type, only the account's email as placeholder), or a button to sign in again
// (the stale-login screen has no inputs at all).
function confirmKinds(dialog: Element, cr: CompiledRule): { kinds: ConfirmSpec['kind'][]; alone: boolean } {
  const specs = cr.confirm;
  const found: ConfirmSpec['kind'][] = [];
  let alone = false;
  if (!specs.length) return { kinds: found, alone };
  const inputs = Array.from(dialog.querySelectorAll('input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]),textarea'));
  const text = dialog.textContent ?? '';
  let buttons: string[] | null = null;
  for (let si = 0; si < specs.length; si++) {
    const s = specs[si];
    const before = found.length;
    if (s.kind === 'reauth') {
      buttons ??= queryAll(dialog, [...ROLE_SELECTORS.button, ...ROLE_SELECTORS.link]).map((b) => normalizeLabel(b.textContent ?? ''));
      const labels = cr.reauth[si] ?? [];
      if (buttons.some((b) => labels.includes(b))) found.push('reauth');
    } else if (!inputs.length) {
      continue;
    } else if (s.kind === 'email') {
      if (inputs.some((i) => i.getAttribute('type') === 'email' || i.getAttribute('autocomplete') === 'email'
        || (i.getAttribute('placeholder') ?? '').includes('@'))) found.push('email');
    } else if (s.words.some((w) => new RegExp(`(^|[^\\p{L}])${w}([^\\p{L}]|$)`, 'u').test(text)
      || inputs.some((i) => i.getAttribute('placeholder') === w))) {
      found.push('type-word');
    }
    if (found.length > before && s.alone) alone = true;
  }
  return { kinds: found, alone };
}

const NOT_TEXT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);

// The text a reader could see: textContent would also return the source of inline scripts, which
// may well contain the very sentence we look for.
function visibleText(root: Element): string {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const parts: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!NOT_TEXT.has(n.parentElement?.tagName ?? '')) parts.push(n.nodeValue ?? '');
  }
  return parts.join(' ');
}

/**
 * One detection pass over the document for the rules the route gate let through. `known` is the
 * document's dialogs when the caller keeps them up to date (content/dialogs.ts), in the order a
 * query gives; without it they are queried.
 */
export function scan(doc: Document, set: RuleSet, active: CompiledRule[], known?: Element[]): Match[] {
  const byRule = new Map<string, Match>();
  const hit = (cr: CompiledRule, level: Level): Match => {
    let m = byRule.get(cr.rule.id);
    if (!m) { m = { rule: cr.rule, level, controls: [], dialog: null, confirm: [] }; byRule.set(cr.rule.id, m); }
    if (LEVEL_RANK[level] > LEVEL_RANK[m.level]) m.level = level;
    return m;
  };
  const idx = controlIndex(active);
  // Dialogs are few and small; controls that only count inside one are looked for there, not
  // among the page's thousands of buttons.
  let dialogs: Element[] | null = known ?? null;
  const allDialogs = (): Element[] => (dialogs ??= queryAll(doc, DIALOG_SCOPE.split(',')));
  const cache: TextCache = new Map();
  const check = (el: Element): void => {
    for (const cr of controlRules(set, active, el, cache)) {
      const m = hit(cr, 'control');
      if (!m.controls.includes(el)) m.controls.push(el);
    }
  };
  eachMatch(doc, idx.docSelectors, check);
  if (idx.dialogSelectors.length) for (const d of allDialogs()) eachMatch(d, idx.dialogSelectors, check);
  for (const cr of active) {
    for (const d of cr.dialogs) {
      for (const el of allDialogs()) {
        if (!d.selectors.some((sel) => el.matches(sel))) continue;
        const text = normalize(el.textContent ?? '');
        const { kinds, alone } = confirmKinds(el, cr);
        const byPhrase = d.phrases.some((p) => text.includes(p)) && (!d.and || d.and.some((p) => text.includes(p)));
        // Recognised by what it asks: a pattern that identifies it alone, or two different ones.
        const byConfirm = alone || kinds.length >= 2;
        if (d.requireConfirm ? byPhrase && kinds.length > 0 : byPhrase || byConfirm) {
          const m = hit(cr, 'dialog');
          // Nested dialogs both match: keep the innermost, the confirmation itself.
          if (!m.dialog || m.dialog.contains(el)) { m.dialog = el; m.confirm = kinds; }
        }
      }
    }
    if ((cr.pageText.length || cr.codes.length) && doc.body) {
      const raw = visibleText(doc.body);
      const text = normalize(raw);
      if (cr.pageText.some((p) => text.includes(p)) || cr.codes.some((c) => c.test(raw))) hit(cr, 'page');
    }
    if (cr.announce) hit(cr, 'page');
  }
  return [...byRule.values()];
}

export type { Lang };
