// The rules of every site in spec/sites, as one rule file: each site's rules.json is data the
// content script and the options page read (docs/rules.md).
import { SITE_RULES } from '../spec.gen';
import type { Lang, RuleFile } from './types';

/** Merges rule files: languages in first-seen order, benign labels and rules concatenated. */
export function mergeRuleFiles(files: readonly RuleFile[]): RuleFile {
  const languages: Lang[] = [];
  const benign: RuleFile['benign'] = {};
  const rules: RuleFile['rules'] = [];
  for (const f of files) {
    for (const l of f.languages) if (!languages.includes(l)) languages.push(l);
    for (const [l, texts] of Object.entries(f.benign) as [Lang, string[]][]) benign[l] = [...(benign[l] ?? []), ...texts];
    rules.push(...f.rules);
  }
  return { ...files[0], languages, benign, rules };
}

export const RULES: RuleFile = mergeRuleFiles(SITE_RULES as unknown as RuleFile[]);
