// The rule file format (spec/sites/<site>/rules.json, described in docs/rules.md and rules.schema.json).
export type Lang = 'en' | 'de' | 'fr' | 'es' | 'pt' | 'it' | 'ja' | 'ko' | 'zh' | 'ru' | 'nl' | 'pl' | 'tr';
export type Texts = Partial<Record<Lang, string[]>>;
export type ControlRole = 'button' | 'link' | 'option' | 'radio' | 'menuitem';
export type DialogRole = 'dialog' | 'alertdialog';
/** snapshot: "Take a snapshot first"; export: ChatGPT's data export; keys: the API keys page; help: OpenAI's help center. */
export type RuleAction = 'snapshot' | 'export' | 'keys' | 'help';
export type Severity = 'critical' | 'high' | 'medium' | 'notice';

export interface Route { path?: string; hash?: string }
export interface ControlSpec {
  roles: ControlRole[];
  text: Texts;
  /** Text that must appear near the control (within a few ancestors, a row): for bare labels. */
  context?: Texts;
  /** 'dialog': the control counts only inside a dialog (ChatGPT's settings are a modal). */
  scope?: 'dialog';
}
export interface DialogSpec { roles: DialogRole[]; text: Texts; requireConfirm?: boolean }
export type ConfirmSpec = { kind: 'type-word'; words: string[] } | { kind: 'email' };

export interface Rule {
  id: string;
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
}

export interface RuleFile {
  $schema?: string;
  version: number;
  languages: Lang[];
  benign: Texts;
  rules: Rule[];
}
