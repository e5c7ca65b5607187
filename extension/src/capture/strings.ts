// Strings of the snapshot UI: `snap_<key>` messages in _locales (en, de, fr, es, ja).
import { api } from '../lib/browser';

export function s(key: string, subs: string[] = []): string {
  return api.i18n.getMessage(`snap_${key}`, subs) || key;
}
