// A copy of a built extension whose manifest grants the opt-in packs' hosts up front: headless
// browsers cannot answer the permission prompt the options page raises, so the suites that check the
// packs' detection start from "the user already granted them". The copy differs from the build only
// in host_permissions; the background then registers each pack's content script as it would after
// the prompt (a pack whose hosts are granted and not switched off is on: docs/rules.md).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function packOrigins(dist) {
  const m = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  const base = new Set(m.host_permissions);
  return (m.optional_host_permissions ?? []).filter((o) => o !== '<all_urls>' && !base.has(o));
}

export function grantedPacksCopy(sb, dist) {
  const dir = path.join(sb.dir, `packs-${path.basename(dist)}`);
  cpSync(dist, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  const extra = packOrigins(dist);
  if (!extra.length) throw new Error('the build declares no pack origins in optional_host_permissions');
  m.host_permissions = [...m.host_permissions, ...extra];
  m.optional_host_permissions = m.optional_host_permissions.filter((o) => !extra.includes(o));
  writeFileSync(file, JSON.stringify(m, null, 2));
  return dir;
}
