// User settings: one object in storage.local under "settings", shared by the content script, the
// background and the options page. Versions before 0.1.x kept the snapshot preferences under a
// second key, "snapshotPrefs": loadSettings still reads it, the next save folds it in and removes
// it, and the background does that once on install/update (migrateSettings).
import { api } from './browser';
import { AUDIT, SITES } from './spec.gen';

export type GuardMode = 'off' | 'warn' | 'confirm';

export interface Settings {
  guardMode: GuardMode;
  /** Label languages to match; empty = all languages in the rule file. */
  languages: string[];
  /** Rule groups switched off are never matched. */
  groups: Record<string, boolean>;
  /** Automatic snapshot when a destructive confirmation or the deleted-account error appears (issue 5). */
  captureAuto: boolean;
  /** Folder the host writes evidence kits to; empty = the user's Downloads folder (issue 6). */
  exportDir: string;
  /** Snapshot redaction: e-mail addresses and phone numbers are masked too. */
  maskEmails: boolean;
  maskPhones: boolean;
  /** Full-page screenshots besides the visible part. */
  fullPage: boolean;
  /** Rule id → ISO time until which its warning is not shown ("Don't warn me about this for 30
   * days"); a confirmation step still escalates. Undone on the options page. */
  snoozed: Record<string, string>;
  /**
   * Opt-in identity packs switched on (true) or off (false) in the options page. A pack never
   * switched either way is on when the browser already granted all its hosts (docs/rules.md).
   */
  packs: Record<string, boolean>;
  /** The audit reminder (docs/audit.md): days between audits, 0 = no reminder. */
  auditIntervalDays: number;
  /** A system notification besides the badge when an audit is due (asks the optional
   * `notifications` permission when switched on). */
  auditNotify: boolean;
}

export const SETTINGS_KEY = 'settings';
/** The old second key, read only to migrate it. */
export const LEGACY_PREFS_KEY = 'snapshotPrefs';

export const DEFAULT_SETTINGS: Settings = {
  guardMode: 'warn',
  languages: [],
  // Every site's rule groups with their default (spec/sites/*/site.json).
  groups: Object.assign({}, ...SITES.map((s) => s.groups)) as Record<string, boolean>,
  captureAuto: true,
  exportDir: '',
  maskEmails: false,
  maskPhones: false,
  fullPage: true,
  snoozed: {},
  packs: {},
  auditIntervalDays: AUDIT.defaultIntervalDays,
  auditNotify: false,
};

type Stored = Partial<Settings>;
type LegacyPrefs = Partial<Pick<Settings, 'maskEmails' | 'maskPhones' | 'fullPage'>>;

/** Merges stored values over the defaults; legacy prefs fill what the settings object lacks. */
export function mergeSettings(stored: Stored | undefined, legacy?: LegacyPrefs): Settings {
  const s = stored ?? {};
  return {
    ...DEFAULT_SETTINGS, ...(legacy ?? {}), ...s,
    groups: { ...DEFAULT_SETTINGS.groups, ...(s.groups ?? {}) },
    snoozed: { ...(s.snoozed ?? {}) },
    packs: { ...(s.packs ?? {}) },
  };
}

export async function loadSettings(): Promise<Settings> {
  const got = await api.storage.local.get([SETTINGS_KEY, LEGACY_PREFS_KEY]);
  return mergeSettings(got[SETTINGS_KEY] as Stored | undefined, got[LEGACY_PREFS_KEY] as LegacyPrefs | undefined);
}

export async function saveSettings(s: Settings): Promise<void> {
  await api.storage.local.set({ [SETTINGS_KEY]: s });
  await api.storage.local.remove(LEGACY_PREFS_KEY);
}

/** Loads, applies the patch and saves; returns what was saved. */
export async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...patch };
  await saveSettings(next);
  return next;
}

/** Folds the legacy key into "settings" (run by the background on install and update). */
export async function migrateSettings(): Promise<void> {
  const got = await api.storage.local.get(LEGACY_PREFS_KEY);
  if (got[LEGACY_PREFS_KEY] !== undefined) await saveSettings(await loadSettings());
}
