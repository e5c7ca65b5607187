// Snapshot preferences, kept in storage.local under one key and edited on the options page.
import { api } from '../lib/browser';

// Automatic capture is `captureAuto` in the shared settings (lib/settings.ts): the content script
// reads it there.
export interface SnapshotPrefs {
  maskEmails: boolean;
  maskPhones: boolean;
  fullPage: boolean;
}

export const PREFS_KEY = 'snapshotPrefs';
export const DEFAULT_PREFS: SnapshotPrefs = { maskEmails: false, maskPhones: false, fullPage: true };

export async function loadPrefs(): Promise<SnapshotPrefs> {
  const got = await api.storage.local.get(PREFS_KEY);
  return { ...DEFAULT_PREFS, ...((got[PREFS_KEY] as Partial<SnapshotPrefs> | undefined) ?? {}) };
}

export async function savePrefs(p: Partial<SnapshotPrefs>): Promise<SnapshotPrefs> {
  const next = { ...(await loadPrefs()), ...p };
  await api.storage.local.set({ [PREFS_KEY]: next });
  return next;
}
