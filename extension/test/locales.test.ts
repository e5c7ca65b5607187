// The extension's own texts (_locales): every key in every locale with the same placeholders, a
// `description` for translators on every English message, one form of address in German ("Sie"),
// no Markdown backticks, and Japanese text that does not lean on spaces to break lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Msg { message: string; description?: string; placeholders?: Record<string, { content: string; example?: string }> }
const root = process.env.RF_EXT_ROOT ?? process.cwd();
const dir = path.join(root, '_locales');
const LOCALES = readdirSync(dir).sort();
const all: Record<string, Record<string, Msg>> = Object.fromEntries(LOCALES.map((l) => [l,
  JSON.parse(readFileSync(path.join(dir, l, 'messages.json'), 'utf8')) as Record<string, Msg>]));
const en = all.en;

test('the locales are en, de, fr, es and ja', () => {
  assert.deepEqual(LOCALES, ['de', 'en', 'es', 'fr', 'ja']);
});

test('every key is in every locale, with a non-empty message', () => {
  for (const l of LOCALES) {
    assert.deepEqual(Object.keys(all[l]).sort(), Object.keys(en).sort(), `${l}: keys differ from en`);
    for (const [k, m] of Object.entries(all[l])) assert.ok(m.message.trim().length > 0, `${l}.${k} is empty`);
  }
});

test('every English message has a description for translators', () => {
  const missing = Object.entries(en).filter(([, m]) => !m.description || m.description.trim().length < 10).map(([k]) => k);
  assert.deepEqual(missing, []);
});

test('placeholders are the same in every locale and used in the message', () => {
  const used = (m: Msg): string[] => [...new Set([...m.message.matchAll(/\$([A-Za-z0-9_]+)\$|\$(\d)/g)].map((x) => (x[1] ?? x[2]).toLowerCase()))].sort();
  for (const [k, m] of Object.entries(en)) {
    for (const l of LOCALES) {
      const t = all[l][k];
      assert.deepEqual(Object.keys(t.placeholders ?? {}).sort(), Object.keys(m.placeholders ?? {}).sort(), `${l}.${k} placeholders`);
      assert.deepEqual(used(t), used(m), `${l}.${k} uses other substitutions than en: ${t.message}`);
    }
  }
});

test('no Markdown backticks in any message', () => {
  for (const l of LOCALES) for (const [k, m] of Object.entries(all[l])) assert.ok(!m.message.includes('`'), `${l}.${k}: ${m.message}`);
});

test('German addresses the user as "Sie" throughout', () => {
  const du = /\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b/i;
  const bad = Object.entries(all.de).filter(([, m]) => du.test(m.message)).map(([k, m]) => `${k}: ${m.message}`);
  assert.deepEqual(bad, []);
});

test('the Japanese messages use Japanese punctuation, not ASCII sentence stops', () => {
  const bad = Object.entries(all.ja).filter(([, m]) => /[\u3040-\u30ff\u4e00-\u9fff]\. ?/.test(m.message)).map(([k, m]) => `${k}: ${m.message}`);
  assert.deepEqual(bad, []);
});
