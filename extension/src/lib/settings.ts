// User settings (storage.local "settings"), shared by content script, background and options page.
import { api } from './browser';

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
  /**
   * Opt-in identity packs switched on (true) or off (false) in the options page. A pack never
   * switched either way is on when the browser already granted all its hosts (docs/rules.md).
   */
  packs: Record<string, boolean>;
}

export const DEFAULT_SETTINGS: Settings = {
  guardMode: 'warn',
  languages: [],
  groups: { chatgpt: true, privacy: true, platform: true, sora: true, auth: true },
  captureAuto: true,
  exportDir: '',
  packs: {},
};

export async function loadSettings(): Promise<Settings> {
  const got = await api.storage.local.get('settings');
  const s = (got.settings ?? {}) as Partial<Settings>;
  return { ...DEFAULT_SETTINGS, ...s, groups: { ...DEFAULT_SETTINGS.groups, ...(s.groups ?? {}) }, packs: { ...(s.packs ?? {}) } };
}

export async function saveSettings(s: Settings): Promise<void> {
  await api.storage.local.set({ settings: s });
}
