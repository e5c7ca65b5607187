// Registers one content script per opt-in pack that is on (scripting.registerContentScripts), for
// that pack's hosts only, and unregisters the others. Runs at start-up and whenever the settings or
// the granted permissions change: a pack follows the options page's switch and the browser's grant.
import { api } from '../shared/browser';
import { loadSettings } from '../shared/settings';
import { RULES } from '../shared/rules/index';
import type { RuleFile } from '../shared/rules/types';
import { optInPacks, packEnabled } from '../shared/rules/packs';

const PREFIX = 'pack-';
const file: RuleFile = RULES;

let running: Promise<void> = Promise.resolve();

/** Brings the registered pack scripts in line with the settings and permissions; calls are serialized. */
export function syncPackScripts(): Promise<void> {
  running = running.catch(() => undefined).then(sync);
  return running;
}

async function sync(): Promise<void> {
  const settings = await loadSettings();
  const granted = (await api.permissions.getAll()).origins ?? [];
  const want = new Map<string, string[]>();
  for (const { id, pack } of optInPacks(file)) {
    const covered = await api.permissions.contains({ origins: pack.origins }).catch(() => false);
    if (packEnabled(pack, settings.packs[id], granted, covered)) want.set(PREFIX + id, pack.origins);
  }
  const have = (await api.scripting.getRegisteredContentScripts()).filter((s) => s.id.startsWith(PREFIX));
  const stale = have.filter((s) => !want.has(s.id) || JSON.stringify(s.matches) !== JSON.stringify(want.get(s.id))).map((s) => s.id);
  if (stale.length) await api.scripting.unregisterContentScripts({ ids: stale });
  const kept = new Set(have.map((s) => s.id).filter((id) => !stale.includes(id)));
  const add = [...want].filter(([id]) => !kept.has(id)).map(([id, matches]) => ({
    id, matches, js: ['content.js'], runAt: 'document_start' as const, allFrames: false, persistAcrossSessions: true,
  }));
  if (add.length) await api.scripting.registerContentScripts(add);
}

export function watchPacks(): void {
  const run = (): void => { syncPackScripts().catch((e: unknown) => console.warn('ringfence: pack scripts', e)); };
  api.permissions.onAdded.addListener(run);
  api.permissions.onRemoved.addListener(run);
  api.storage.onChanged.addListener((changes, area) => { if (area === 'local' && changes.settings) run(); });
  run();
}
