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

test('the key inventory adds what depends on the keys and how many are not rotated', () => {
  const s = { api_keys: { count: 3, seen_at: '2026-11-20T09:00:00.000Z' },
    key_inventory: { keys: 3, used_by: ['billing-worker', 'support-bot'], not_rotated: 1 } };
  assert.equal(personalLine(s, ['api_access'], t, 'en-GB'),
    'personal_api_keys|3|20 Nov 2026 personal_key_consumers|billing-worker, support-bot|1');
  const none = { ...s, key_inventory: { keys: 3, used_by: [], not_rotated: 3 } };
  assert.equal(personalLine(none, ['api_access'], t, 'en-GB'), 'personal_api_keys|3|20 Nov 2026');
  const many = { ...s, key_inventory: { keys: 9, used_by: ['a', 'b', 'c', 'd', 'e', 'f'], not_rotated: 0 } };
  assert.equal(personalLine(many, ['api_access'], t, 'en-GB'), 'personal_api_keys|3|20 Nov 2026 personal_key_consumers|a, b, c, d, e, …|0');
});
