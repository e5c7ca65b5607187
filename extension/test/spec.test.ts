// What spec/ says and the extension's own files must agree on: every category and every rule group
// the options page lists has its label in every locale, and every rule's group is one its site declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATEGORIES, SITES, SITE_RULES } from '../src/shared/spec.gen';
import type { RuleFile } from '../src/shared/rules/types';

const root = process.env.RF_EXT_ROOT ?? process.cwd();
const LOCALES = ['en', 'de', 'fr', 'es', 'ja'];
const messages = Object.fromEntries(LOCALES.map((l) => [l,
  JSON.parse(readFileSync(path.join(root, '_locales', l, 'messages.json'), 'utf8')) as Record<string, { message: string }>]));

test('every evidence category has its label in every locale', () => {
  for (const l of LOCALES) for (const c of CATEGORIES) assert.ok(messages[l][`snap_${c}`]?.message, `${l}: snap_${c}`);
});

test('every rule group the options page lists has its name in every locale, and every rule names a group of its site', () => {
  SITES.forEach((site, i) => {
    const groups = Object.keys(site.groups);
    assert.ok(groups.length > 0, `${site.id} declares no group`);
    // An opt-in pack's group is switched with its pack (pages/options/packs-ui.ts), not by name.
    if (!site.optional) for (const l of LOCALES) for (const g of groups) assert.ok(messages[l][`group_${g}`]?.message, `${l}: group_${g}`);
    for (const r of (SITE_RULES[i] as unknown as RuleFile).rules) assert.ok(groups.includes(r.group), `${site.id}: rule ${r.id} has group ${r.group}`);
  });
});
