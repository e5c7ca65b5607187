// The rule file format (spec/sites/<site>/rules.json, described in docs/rules.md and rules.schema.json).
export type Lang = 'en' | 'de' | 'fr' | 'es' | 'pt' | 'it' | 'ja' | 'ko' | 'zh' | 'ru' | 'nl' | 'pl' | 'tr';
export type Texts = Partial<Record<Lang, string[]>>;
export type ControlRole = 'button' | 'link' | 'option' | 'radio' | 'menuitem';
export type DialogRole = 'dialog' | 'alertdialog';
/** snapshot: "Take a snapshot first"; export: ChatGPT's data export; keys: the API keys page; help: OpenAI's help center. */
export type RuleAction = 'snapshot' | 'export' | 'keys' | 'help';
export type Severity = 'critical' | 'high' | 'medium' | 'notice';

export interface Route {
  path?: string;
  hash?: string;
  /** The site opens its settings as a dialog over any page: on this route controls count only inside a dialog. */
  overlay?: boolean;
  /** The page itself can do what the rule warns about: warn ('page' level) as soon as the route matches. */
  announce?: boolean;
}
export interface ControlSpec {
  roles: ControlRole[];
  text: Texts;
  /** Text that must appear near the control (within a few ancestors, a row): for bare labels. */
  context?: Texts;
  /** 'dialog': the control counts only inside a dialog (ChatGPT's settings are a modal). */
  scope?: 'dialog';
  /** Cards (a title and a description in one control): the control also matches by its title. */
  card?: boolean;
}
/** A dialog matches when it contains one of `text` and, with `and`, also one of `and`. */
export interface DialogSpec { roles: DialogRole[]; text: Texts; and?: Texts; requireConfirm?: boolean }
/** What a confirmation asks for; `alone`: this one pattern is enough to recognise the confirmation. */
export type ConfirmSpec = ({ kind: 'type-word'; words: string[] } | { kind: 'email' } | { kind: 'reauth'; text: Texts }) & { alone?: boolean };

/** Where a fact comes from: a URL or repository path and the date it was observed there, or 'unverified'. */
export interface Source { source?: string; observed: string; note?: string }
export interface Provenance { rule: Source[]; labels: Partial<Record<Lang, Source>> }

/** A site's identity facts (the `pack` of its rules.json): what its deletion takes with it. */
export interface PackFacts {
  name: string;
  languages: Lang[];
  lost: string[];
  reuse: { email: 'reusable' | 'never' | 'unknown'; username?: string; note?: string; source?: string };
  grace: { days?: number; note: string; source?: string };
  evidence: { category: string; capture: string }[];
  sources: Source[];
}

/** An identity: OpenAI (on by default) or an opt-in pack, with its site's host patterns. */
export interface Pack extends PackFacts {
  default: boolean;
  /** The site's match patterns: an opt-in pack asks for exactly these when switched on. */
  origins: string[];
}

export interface Rule {
  id: string;
  pack: string;
  group: string;
  hosts: string[];
  routes: Route[];
  severity: Severity;
  message: string;
  losses: string[];
  /** What the banner offers, first one in its bar (docs/rules.md). */
  actions: RuleAction[];
  autoCapture?: boolean;
  controls?: ControlSpec[];
  dialogs?: DialogSpec[];
  confirm?: ConfirmSpec[];
  pageText?: Texts;
  /** Error codes found as whole tokens in the visible text, whatever the page's language. */
  codes?: string[];
  provenance: Provenance;
}

/** One site's rules.json (spec/sites/<site>/rules.json). */
export interface SiteRuleFile {
  $schema?: string;
  version: number;
  languages: Lang[];
  pack: PackFacts;
  benign: Texts;
  benignProvenance: Partial<Record<Lang, Source>>;
  rules: Rule[];
}

/** Every site's rules merged (shared/rules/index.ts), with each site's identity as a pack. */
export interface RuleFile {
  version: number;
  languages: Lang[];
  packs: Record<string, Pack>;
  benign: Texts;
  benignProvenance: Partial<Record<Lang, Source>>;
  rules: Rule[];
}
