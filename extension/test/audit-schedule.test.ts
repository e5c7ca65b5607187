// The audit reminder (docs/audit.md "Reminder"): the schedule arithmetic with a fake clock, and the
// background's refreshReminder over stand-ins for storage, alarms, action and notifications, with
// node:test's mocked Date: the alarm rings when the audit is due, the badge appears then, one
// notification per due audit, nothing when the reminder is off.
import { test, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { daysUntil, normalizeInterval, schedule } from '../src/shared/audit-schedule';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);

test('weekly: due seven days after the last audit, not a millisecond before', () => {
  const s = schedule({ lastAudit: T0, since: T0 - 100 * DAY }, 7, T0 + 7 * DAY - 1);
  assert.deepEqual(s, { enabled: true, dueAt: T0 + 7 * DAY, due: false, alarmAt: T0 + 7 * DAY });
  const at = schedule({ lastAudit: T0, since: T0 }, 7, T0 + 7 * DAY);
  assert.equal(at.due, true);
  assert.equal(at.alarmAt, null, 'already due: the badge shows now, no alarm needed');
});

test('without any audit, the first is due an interval after the reminder was set up', () => {
  assert.equal(schedule({ lastAudit: null, since: T0 }, 7, T0 + DAY).dueAt, T0 + 7 * DAY);
  assert.equal(schedule({ lastAudit: null, since: T0 }, 7, T0 + 8 * DAY).due, true);
});

test('off (0 days) never reminds', () => {
  assert.deepEqual(schedule({ lastAudit: T0 - 400 * DAY, since: T0 - 400 * DAY }, 0, T0), { enabled: false, dueAt: null, due: false, alarmAt: null });
});

test('a last audit in the future (the clock was set back) counts as now', () => {
  const s = schedule({ lastAudit: T0 + 30 * DAY, since: T0 }, 7, T0);
  assert.equal(s.dueAt, T0 + 7 * DAY);
});

test('the interval is whole days, 0 to 365; anything else is the default', () => {
  assert.equal(normalizeInterval(3.7, 7), 3);
  assert.equal(normalizeInterval(1000, 7), 365);
  for (const bad of [-1, NaN, Infinity, '7', null, undefined]) assert.equal(normalizeInterval(bad, 7), 7, String(bad));
  assert.equal(normalizeInterval(0, 7), 0);
});

test('days until due, for the options page', () => {
  const s = schedule({ lastAudit: T0, since: T0 }, 7, T0 + DAY + 1);
  assert.equal(daysUntil(s, T0 + DAY + 1), 6);
  assert.equal(daysUntil(schedule({ lastAudit: T0, since: T0 }, 7, T0 + 9 * DAY), T0 + 9 * DAY), 0);
  assert.equal(daysUntil(schedule({ lastAudit: T0, since: T0 }, 0, T0), T0), null);
});

// ---- refreshReminder over stand-ins, with a mocked Date ---------------------------------------

const store: Record<string, unknown> = {};
const alarms = new Map<string, number>();
let badge = '';
const notes: string[] = [];
let notificationsGranted = false;
const fake = {
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
    onChanged: { addListener() {} },
  },
  alarms: {
    async clear(n: string) { return alarms.delete(n); },
    async create(n: string, o: { when: number }) { alarms.set(n, o.when); },
    onAlarm: { addListener() {} },
  },
  action: {
    async setBadgeText(o: { text: string }) { badge = o.text; },
    async setBadgeBackgroundColor() {},
    async setTitle() {},
  },
  i18n: { getMessage: (k: string) => (k === 'audit_badge' ? 'due' : k) },
  runtime: { getURL: (p: string) => `chrome-extension://x/${p}` },
  permissions: { onAdded: { addListener() {} } },
  tabs: { create() {} },
  get notifications() {
    return notificationsGranted ? { async create(id: string) { notes.push(id); }, onClicked: { addListener() {} }, clear() {} } : undefined;
  },
};
(globalThis as Record<string, unknown>).chrome = fake;
const { refreshReminder, auditCompleted } = await import('../src/background/audit-reminder');

beforeEach(() => {
  for (const k of Object.keys(store)) delete store[k];
  alarms.clear();
  badge = '';
  notes.length = 0;
  notificationsGranted = false;
});

test('refreshReminder: an alarm at the due time, the badge only once it is due', async () => {
  mock.timers.enable({ apis: ['Date'], now: T0 });
  try {
    await auditCompleted('a1');
    let r = await refreshReminder();
    assert.equal(r.due, false);
    assert.equal(alarms.get('ringfence-audit'), T0 + 7 * DAY);
    assert.equal(badge, '');
    mock.timers.tick(7 * DAY); // the alarm rings: the background refreshes
    r = await refreshReminder();
    assert.equal(r.due, true);
    assert.equal(badge, 'due');
    assert.equal(alarms.has('ringfence-audit'), false);
    await auditCompleted('a2'); // an audit done: the badge goes, the next alarm is a week later
    r = await refreshReminder();
    assert.equal(badge, '');
    assert.equal(alarms.get('ringfence-audit'), T0 + 14 * DAY);
  } finally { mock.timers.reset(); }
});

test('refreshReminder: one notification per due audit, only with the permission and the setting', async () => {
  mock.timers.enable({ apis: ['Date'], now: T0 });
  try {
    store.settings = { auditNotify: true, auditIntervalDays: 3 };
    await auditCompleted('a1', T0 - 4 * DAY);
    await refreshReminder();
    assert.deepEqual(notes, [], 'no permission: no notification, the badge only');
    assert.equal(badge, 'due');
    notificationsGranted = true;
    await refreshReminder();
    await refreshReminder();
    assert.deepEqual(notes, ['ringfence-audit-due'], 'notified once for this due audit');
    store.settings = { auditNotify: false, auditIntervalDays: 3 };
    await auditCompleted('a2', T0 - 10 * DAY);
    await refreshReminder();
    assert.deepEqual(notes, ['ringfence-audit-due'], 'notify switched off');
  } finally { mock.timers.reset(); }
});

test('refreshReminder: off means no alarm and no badge, however old the last audit', async () => {
  store.settings = { auditIntervalDays: 0 };
  await auditCompleted('a1', Date.now() - 400 * DAY);
  const r = await refreshReminder();
  assert.equal(r.due, false);
  assert.equal(alarms.size, 0);
  assert.equal(badge, '');
});
