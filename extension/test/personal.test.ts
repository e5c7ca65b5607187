// The banner's personal line from identity.summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { personalLine } from '../src/content/personal';

const t = (key: string, subs?: string[]): string => `${key}|${(subs ?? []).join('|')}`;

test('API keys seen in a snapshot are named for identity-wide and key rules', () => {
  const s = { snapshots: 3, api_keys: { count: 4, seen_at: '2026-11-20T09:00:00.000Z' } };
  assert.equal(personalLine(s, ['chatgpt_history', 'api_access'], t, 'en-GB'), 'personal_api_keys|4|20 Nov 2026');
  assert.equal(personalLine(s, ['key_consumers'], t, 'en-US'), 'personal_api_keys|4|Nov 20, 2026');
  assert.equal(personalLine(s, ['project_keys'], t, 'de-DE'), 'personal_api_keys|4|20. Nov. 2026');
});

test('nothing personal without keys, or for rules that do not touch keys', () => {
  assert.equal(personalLine({ snapshots: 0, api_keys: null }, ['api_access'], t), '');
  assert.equal(personalLine({ api_keys: { count: 0, seen_at: '2026-11-20T09:00:00Z' } }, ['api_access'], t), '');
  assert.equal(personalLine({ api_keys: { count: 2, seen_at: '2026-11-20T09:00:00Z' } }, ['org_access'], t), '');
  assert.equal(personalLine({ api_keys: { count: 2, seen_at: '2026-11-20T09:00:00Z' } }, [], t), '');
});
