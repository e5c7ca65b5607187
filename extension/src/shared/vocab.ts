// Helpers over the shared vocabulary (spec/vocabulary.json, generated into spec.gen.ts).
import { CATEGORIES, type Category, type Trigger } from './spec.gen';

export { CATEGORIES, type Category };
export type SnapshotTrigger = Trigger;

export function isCategory(s: unknown): s is Category {
  return typeof s === 'string' && (CATEGORIES as readonly string[]).includes(s);
}

/** The category a page was given, and the id of the rule that decided it. */
export interface Classification { category: Category; rule: string }
