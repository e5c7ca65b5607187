// Snapshot preferences, kept in storage.local under one key and edited on the options page.
import { api } from '../lib/browser';

export interface SnapshotPrefs {
  /** Capture automatically when a destructive confirm dialog opens or the deleted/deactivated
   * sign-in error appears. */
  autoCapture: boolean;
  maskEmails: boolean;
  maskPhones: boolean;
  fullPage: boolean;
}

export const PREFS_KEY = 'snapshotPrefs';
export const DEFAULT_PREFS: SnapshotPrefs = { autoCapture: true, maskEmails: false, maskPhones: false, fullPage: true };

export async function loadPrefs(): Promise<SnapshotPrefs> {
  const got = await api.storage.local.get(PREFS_KEY);
  return { ...DEFAULT_PREFS, ...((got[PREFS_KEY] as Partial<SnapshotPrefs> | undefined) ?? {}) };
}

export async function savePrefs(p: Partial<SnapshotPrefs>): Promise<SnapshotPrefs> {
  const next = { ...(await loadPrefs()), ...p };
  await api.storage.local.set({ [PREFS_KEY]: next });
  return next;
}
