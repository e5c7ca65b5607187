// The one settings store (src/shared/settings.ts) over a stand-in for storage.local: defaults, and
// the migration of the snapshot preferences that older versions kept under a second key.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

const store: Record<string, unknown> = {};
(globalThis as Record<string, unknown>).chrome = {
  storage: {
    local: {
      async get(k: string | string[]) {
        const out: Record<string, unknown> = {};
        for (const key of Array.isArray(k) ? k : [k]) if (key in store) out[key] = structuredClone(store[key]);
        return out;
      },
      async set(o: Record<string, unknown>) { Object.assign(store, structuredClone(o)); },
      async remove(k: string | string[]) { for (const key of Array.isArray(k) ? k : [k]) delete store[key]; },
    },
  },
};

const { DEFAULT_SETTINGS, loadSettings, migrateSettings, updateSettings } = await import('../src/shared/settings');

beforeEach(() => { for (const k of Object.keys(store)) delete store[k]; });

test('a fresh install gets the defaults', async () => {
  assert.deepEqual(await loadSettings(), DEFAULT_SETTINGS);
});

test('snapshot preferences under the old key are kept and folded into "settings"', async () => {
  store.settings = { guardMode: 'confirm', groups: { sora: false }, captureAuto: false };
  store.snapshotPrefs = { maskEmails: true, maskPhones: true, fullPage: false };
  const before = await loadSettings();
  assert.equal(before.maskEmails, true);
  assert.equal(before.fullPage, false);
  assert.equal(before.guardMode, 'confirm');
  assert.equal(before.groups.sora, false);
  assert.equal(before.groups.chatgpt, true, 'groups missing from storage keep their default');
  await migrateSettings();
  assert.equal('snapshotPrefs' in store, false, 'the old key is gone');
  assert.deepEqual(store.settings, before, 'nothing changed for the user');
  assert.deepEqual(await loadSettings(), before);
});

test('an update saves one key and drops the old one', async () => {
  store.snapshotPrefs = { maskPhones: true };
  const next = await updateSettings({ exportDir: '/tmp/kits' });
  assert.equal(next.maskPhones, true);
  assert.equal(next.exportDir, '/tmp/kits');
  assert.deepEqual(Object.keys(store), ['settings']);
});

test('migration without an old key writes nothing', async () => {
  await migrateSettings();
  assert.deepEqual(Object.keys(store), []);
});
