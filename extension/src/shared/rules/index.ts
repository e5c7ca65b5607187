// The rules of every site in spec/sites, as one rule file: each site's rules.json is data the
// content script and the options page read (docs/rules.md). Default sites come first, so their
// languages lead and their rules are tried first; each site's identity becomes one pack.
import { SITE_RULES, SITES } from '../spec.gen';
import type { Lang, RuleFile, SiteRuleFile } from './types';

export interface SiteRules { id: string; optional: boolean; origins: readonly string[]; file: SiteRuleFile }

/** Merges sites' rule files: languages in first-seen order, benign labels and rules concatenated. */
export function mergeRuleFiles(sites: readonly SiteRules[]): RuleFile {
  const languages: Lang[] = [];
  const out: RuleFile = { version: 1, languages, packs: {}, benign: {}, benignProvenance: {}, rules: [] };
  for (const { id, optional, origins, file: f } of sites) {
    for (const l of f.languages) if (!languages.includes(l)) languages.push(l);
    for (const [l, texts] of Object.entries(f.benign) as [Lang, string[]][]) out.benign[l] = [...(out.benign[l] ?? []), ...texts];
    for (const [l, src] of Object.entries(f.benignProvenance) as [Lang, RuleFile['benignProvenance']['en']][]) out.benignProvenance[l] ??= src;
    out.packs[id] = { ...f.pack, default: !optional, origins: [...origins] };
    out.rules.push(...f.rules);
  }
  return out;
}

export const SITE_FILES: readonly SiteRules[] = SITES
  .map((s, i) => ({ id: s.id, optional: s.optional, origins: s.matchPatterns, file: SITE_RULES[i] as unknown as SiteRuleFile }))
  .sort((a, b) => Number(a.optional) - Number(b.optional));

export const RULES: RuleFile = mergeRuleFiles(SITE_FILES);
