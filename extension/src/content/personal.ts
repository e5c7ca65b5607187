// The personal line of the banner, from the host's identity.summary reply (docs/protocol.md).
import type { Translate } from './banner';

export interface IdentitySummary {
  snapshots?: number;
  last_snapshot_at?: string | null;
  api_keys?: { count: number; seen_at: string } | null;
}

export function personalLine(s: IdentitySummary, losses: string[], t: Translate, locale?: string): string {
  const keys = s.api_keys;
  if (!keys || !keys.count) return '';
  if (!losses.includes('api_access') && !losses.includes('key_consumers') && !losses.includes('project_keys')) return '';
  const seen = new Date(keys.seen_at);
  const date = Number.isNaN(seen.getTime()) ? keys.seen_at
    : seen.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  return t('personal_api_keys', [String(keys.count), date]);
}
