// Test helpers: a happy-dom document at a given URL, and the compiled production rule set.
import { Window } from 'happy-dom';
import { RULES as ALL_RULES } from '../src/shared/rules/index';
import { compileRules, rulesForLocation, scan, type Match, type RuleSet } from '../src/content/rules/match';

export const RULES = ALL_RULES;

export function page(url: string, html: string): { doc: Document; win: Window } {
  const win = new Window({ url });
  win.document.write(`<!doctype html><html><head></head><body>${html}</body></html>`);
  return { doc: win.document as unknown as Document, win };
}

/** Runs the route gate and one scan, as the content script does. */
export function detect(url: string, html: string, set: RuleSet = compileRules(RULES)): Match[] {
  const { doc, win } = page(url, html);
  const active = rulesForLocation(set, win.location);
  return active.length ? scan(doc, set, active) : [];
}

export function summary(ms: Match[]): string[] {
  return ms.map((m) => `${m.rule.id}:${m.level}`).sort();
}
