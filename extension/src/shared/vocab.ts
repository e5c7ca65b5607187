// Words both the extension and the host use: snapshot triggers and evidence categories.

export type SnapshotTrigger = 'button' | 'shortcut' | 'context_menu' | 'banner' | 'auto';

export const CATEGORIES = ['consent_training', 'account_status', 'uploads', 'moderation', 'api_dashboard', 'other'] as const;
export type Category = typeof CATEGORIES[number];

export function isCategory(s: unknown): s is Category {
  return typeof s === 'string' && (CATEGORIES as readonly string[]).includes(s);
}

/** The category a page was given, and the id of the rule that decided it. */
export interface Classification { category: Category; rule: string }
