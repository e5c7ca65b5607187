// The rule file: schema, and the facts the schema cannot express (ids, regexes, languages,
// message keys present in every locale, benign labels never used as destructive ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from './jsonschema';
import { RULES } from './helpers';
import { SITE_FILES } from '../src/shared/rules/index';
import { SITES } from '../src/shared/spec.gen';
import { normalizeLabel } from '../src/content/rules/match';
import schema from '../../spec/sites/openai/rules.schema.json';

const root = process.env.RF_EXT_ROOT ?? process.cwd();
const LOCALES = ['en', 'de', 'fr', 'es', 'ja'];
const messages = Object.fromEntries(LOCALES.map((l) => [l,
  JSON.parse(readFileSync(path.join(root, '_locales', l, 'messages.json'), 'utf8')) as Record<string, { message: string }>]));

const OPENAI = SITE_FILES.find((s) => s.id === 'openai')!.file;

test('every site\'s rules.json validates against rules.schema.json', () => {
  assert.deepEqual(SITE_FILES.map((s) => s.id).sort(), ['amazon', 'github', 'google', 'microsoft', 'openai']);
  for (const s of SITE_FILES) assert.deepEqual(validate(schema as Record<string, unknown>, s.file), [], s.id);
  for (const s of SITE_FILES) for (const r of s.file.rules) assert.equal(r.pack, s.id, `${r.id} sits in spec/sites/${s.id}`);
});

test('the schema rejects malformed rules', () => {
  const bad = structuredClone(OPENAI) as unknown as { rules: Record<string, unknown>[] };
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

test('every text list covers its pack\'s languages (OpenAI: all 13)', () => {
  assert.deepEqual(RULES.languages, ['en', 'de', 'fr', 'es', 'pt', 'it', 'ja', 'ko', 'zh', 'ru', 'nl', 'pl', 'tr']);
  assert.deepEqual(RULES.packs.openai.languages, RULES.languages);
  const check = (where: string, langs: readonly string[], t: Record<string, string[] | undefined> | undefined): void => {
    if (!t) return;
    for (const l of langs) assert.ok(t[l]?.length, `${where} lacks ${l}`);
  };
  check('benign', RULES.languages, RULES.benign);
  for (const r of RULES.rules) {
    const langs = RULES.packs[r.pack]?.languages;
    assert.ok(langs, `${r.id}: unknown pack ${r.pack}`);
    r.controls?.forEach((c, i) => { check(`${r.id}.controls[${i}].text`, langs, c.text); check(`${r.id}.controls[${i}].context`, langs, c.context); });
    r.dialogs?.forEach((d, i) => { check(`${r.id}.dialogs[${i}]`, langs, d.text); check(`${r.id}.dialogs[${i}].and`, langs, d.and); });
    check(`${r.id}.pageText`, langs, r.pageText);
    assert.ok(r.controls?.length || r.pageText || r.codes, `${r.id} detects nothing`);
  }
});

test('every rule and every label language has provenance: a source and a date, or unverified', () => {
  const DATE = /^\d{4}-\d{2}-\d{2}$/;
  const ok = (where: string, s: { source?: string; observed: string } | undefined): void => {
    assert.ok(s, `${where}: no provenance`);
    if (s.observed === 'unverified') return;
    assert.match(s.observed, DATE, where);
    assert.ok(!Number.isNaN(Date.parse(s.observed)) && s.observed <= '2026-12-31', `${where}: ${s.observed}`);
    assert.ok(s.source && (/^https:\/\/[^\s]+$/.test(s.source) || /^[\w.-]+(\/[\w.-]+)+/.test(s.source)), `${where}: a dated fact needs a URL or repository path, got ${s.source}`);
  };
  for (const r of RULES.rules) {
    assert.ok(r.provenance.rule.length, `${r.id}: no sources`);
    r.provenance.rule.forEach((s, i) => ok(`${r.id}.provenance.rule[${i}]`, s));
    // Every language any of its label lists uses has an entry.
    const langs = new Set<string>();
    const add = (t?: Record<string, unknown>): void => { for (const l of Object.keys(t ?? {})) langs.add(l); };
    for (const c of r.controls ?? []) { add(c.text); add(c.context); }
    for (const d of r.dialogs ?? []) { add(d.text); add(d.and); }
    for (const k of r.confirm ?? []) if (k.kind === 'reauth') add(k.text);
    add(r.pageText);
    for (const l of langs) ok(`${r.id}.provenance.labels.${l}`, r.provenance.labels[l as 'en']);
  }
  for (const l of Object.keys(RULES.benign)) ok(`benignProvenance.${l}`, RULES.benignProvenance[l as 'en']);
  for (const [id, p] of Object.entries(RULES.packs)) p.sources.forEach((s, i) => ok(`packs.${id}.sources[${i}]`, s));
});

test('the provenance test fails on a label language without a source', () => {
  const bad = structuredClone(RULES);
  delete bad.rules[0].provenance.labels.de;
  const langs = Object.keys(bad.rules[0].controls![0].text);
  assert.ok(langs.includes('de') && !bad.rules[0].provenance.labels.de);
  const bad2 = structuredClone(OPENAI);
  bad2.rules[0].provenance.rule[0].observed = 'yesterday';
  assert.ok(validate(schema as Record<string, unknown>, bad2).some((e) => e.includes('yesterday')));
});

test('packs: each rule belongs to a pack; an opt-in pack\'s hosts are its own and asked for one pack at a time', () => {
  const base = { host_permissions: SITES.filter((s) => !s.optional).flatMap((s) => s.matchPatterns) };
  const optIn = Object.entries(RULES.packs).filter(([, p]) => !p.default);
  assert.deepEqual(optIn.map(([id]) => id).sort(), ['amazon', 'github', 'google', 'microsoft']);
  assert.equal(Object.values(RULES.packs).filter((p) => p.default).length, 1);
  const seen = new Set<string>();
  for (const [id, p] of optIn) {
    const hosts = new Set(RULES.rules.filter((r) => r.pack === id).flatMap((r) => r.hosts));
    assert.ok(hosts.size, `${id} has no rules`);
    // Exactly the hosts its rules run on: nothing broader, nothing missing.
    assert.deepEqual(p.origins.map((o) => o.replace(/^https:\/\//, '').replace(/\/\*$/, '')).sort(), [...hosts].sort(), id);
    for (const o of p.origins) {
      assert.ok(!o.includes('*.') && !seen.has(o), `${id}: ${o}`);
      seen.add(o);
      assert.ok(!base.host_permissions.includes(o), `${o} is granted by default`);
    }
  }
  for (const r of RULES.rules) if (r.pack === 'openai') {
    for (const h of r.hosts) assert.ok(RULES.packs.openai.origins.some((o) => new RegExp(`^https://${o.slice(8, -2).replace(/\./g, '\\.').replace('*', '[a-z0-9-]+')}$`).test(`https://${h}`)), h);
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

test('docs/rules.md lists every rule, every pack and every source', () => {
  const doc = readFileSync(path.join(root, '..', 'docs', 'rules.md'), 'utf8');
  for (const r of RULES.rules) {
    assert.ok(doc.includes(`### \`${r.id}\``), `docs/rules.md lacks ${r.id}`);
    for (const s of r.provenance.rule) if (s.source) assert.ok(doc.includes(s.source), `docs/rules.md lacks ${s.source} (${r.id})`);
  }
  for (const [id, p] of Object.entries(RULES.packs)) {
    assert.ok(doc.includes(`| \`${id}\``), `docs/rules.md lacks pack ${id}`);
    for (const s of p.sources) if (s.source) assert.ok(doc.includes(s.source), `docs/rules.md lacks ${s.source} (${id})`);
  }
});
