// The personal line of the banner, from the host's identity.summary reply (spec/protocol.json).
import type { Translate } from './banner';
import type { IdentitySummaryReply } from '../shared/spec.gen';

/** What the banner reads of the reply (older hosts may leave fields out). */
export type IdentitySummary = Partial<Pick<IdentitySummaryReply, 'snapshots' | 'last_snapshot_at'>>
  & { api_keys?: Pick<NonNullable<IdentitySummaryReply['api_keys']>, 'count' | 'seen_at'> | null };

export function personalLine(s: IdentitySummary, losses: string[], t: Translate, locale?: string): string {
  const keys = s.api_keys;
  if (!keys || !keys.count) return '';
  if (!losses.includes('api_access') && !losses.includes('key_consumers') && !losses.includes('project_keys')) return '';
  const seen = new Date(keys.seen_at);
  const date = Number.isNaN(seen.getTime()) ? keys.seen_at
    : seen.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  return t('personal_api_keys', [String(keys.count), date]);
}
