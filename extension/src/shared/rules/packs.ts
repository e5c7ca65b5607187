// The identity packs of rules.json: which are opt-in, the host permissions each asks for, and
// whether one is on. Shared by the background (which registers the packs' content scripts) and the
// options page (which asks for the permissions).
import type { Pack, RuleFile } from './types';

export interface OptInPack { id: string; pack: Pack }

/** The packs that are off until the user switches them on, in file order. */
export function optInPacks(file: RuleFile): OptInPack[] {
  return Object.entries(file.packs).filter(([, p]) => !p.default).map(([id, pack]) => ({ id, pack }));
}

/**
 * Whether a pack is on. An explicit switch in the options wins (on also needs the grant: `covered`
 * says the granted permissions include the pack's hosts, <all_urls> included). Never switched, the
 * pack is on only when each of its own host patterns was granted as such — granting <all_urls> for
 * full-page snapshots does not switch every pack on.
 */
export function packEnabled(pack: Pack, switched: boolean | undefined, granted: readonly string[], covered: boolean): boolean {
  if (switched !== undefined) return switched && covered;
  return pack.origins.every((o) => granted.includes(o));
}
