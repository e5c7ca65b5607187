// The rule file: schema, and the facts the schema cannot express (ids, regexes, languages,
// message keys present in every locale, benign labels never used as destructive ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from './jsonschema';
import { RULES } from './helpers';
import { normalizeLabel } from '../src/content/rules/match';
import schema from '../../spec/sites/openai/rules.schema.json';

const root = process.env.RF_EXT_ROOT ?? process.cwd();
const LOCALES = ['en', 'de', 'fr', 'es', 'ja'];
const messages = Object.fromEntries(LOCALES.map((l) => [l,
  JSON.parse(readFileSync(path.join(root, '_locales', l, 'messages.json'), 'utf8')) as Record<string, { message: string }>]));

test('rules.json validates against rules.schema.json', () => {
  assert.deepEqual(validate(schema as Record<string, unknown>, RULES), []);
});

test('the schema rejects malformed rules', () => {
  const bad = structuredClone(RULES) as unknown as { rules: Record<string, unknown>[] };
  bad.rules[0].severity = 'apocalyptic';
  delete bad.rules[1].routes;
  bad.rules[2].extra = true;
  const errs = validate(schema as Record<string, unknown>, bad);
  assert.ok(errs.some((e) => e.includes('apocalyptic')), errs.join('\n'));
  assert.ok(errs.some((e) => e.includes('missing routes')), errs.join('\n'));
  assert.ok(errs.some((e) => e.includes('unexpected property extra')), errs.join('\n'));
});

test('rule ids are unique and route patterns compile', () => {
  const ids = RULES.rules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of RULES.rules) for (const rt of r.routes) {
    if (rt.path) new RegExp(rt.path, 'i');
    if (rt.hash) new RegExp(rt.hash, 'i');
  }
});

test('every text list covers all 13 languages', () => {
  assert.deepEqual(RULES.languages, ['en', 'de', 'fr', 'es', 'pt', 'it', 'ja', 'ko', 'zh', 'ru', 'nl', 'pl', 'tr']);
  const check = (where: string, t: Record<string, string[] | undefined> | undefined): void => {
    if (!t) return;
    for (const l of RULES.languages) assert.ok(t[l]?.length, `${where} lacks ${l}`);
  };
  check('benign', RULES.benign);
  for (const r of RULES.rules) {
    r.controls?.forEach((c, i) => { check(`${r.id}.controls[${i}].text`, c.text); check(`${r.id}.controls[${i}].context`, c.context); });
    r.dialogs?.forEach((d, i) => check(`${r.id}.dialogs[${i}]`, d.text));
    check(`${r.id}.pageText`, r.pageText);
    assert.ok(r.controls?.length || r.pageText, `${r.id} detects nothing`);
  }
});

test('every message and loss key exists in every locale', () => {
  for (const r of RULES.rules) {
    for (const l of LOCALES) {
      for (const k of [`${r.message}_title`, `${r.message}_body`, ...r.losses.map((x) => `loss_${x}`)]) {
        assert.ok(messages[l][k]?.message, `${l} lacks ${k} (rule ${r.id})`);
      }
    }
  }
  for (const l of LOCALES) assert.deepEqual(Object.keys(messages[l]).sort(), Object.keys(messages.en).sort(), `${l} keys differ from en`);
});

test('no benign label is a destructive control label', () => {
  const benign = new Set(Object.values(RULES.benign).flat().map(normalizeLabel));
  for (const r of RULES.rules) for (const c of r.controls ?? []) for (const list of Object.values(c.text)) {
    for (const s of list ?? []) assert.ok(!benign.has(normalizeLabel(s)), `${r.id}: "${s}" is listed as benign`);
  }
});

test('only the deleted-account sign-in error is flagged for automatic capture', () => {
  assert.deepEqual(RULES.rules.filter((r) => r.autoCapture).map((r) => r.id), ['auth.account-deleted']);
});
