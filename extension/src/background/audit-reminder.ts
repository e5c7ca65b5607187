// The audit reminder (docs/audit.md): an alarm at the time the next audit is due (the last
// completed audit, kept in storage.local, plus the interval set in options); when due, a badge on
// the toolbar button and, if the user allowed it, one system notification. Local only: no network.
import { api } from '../shared/browser';
import { t } from '../shared/i18n';
import { loadSettings, SETTINGS_KEY } from '../shared/settings';
import { AUDIT } from '../shared/spec.gen';
import { normalizeInterval, schedule, type Schedule } from '../shared/audit-schedule';
import type { AuditReminder } from '../shared/messages';

export const ALARM = 'ringfence-audit';
/** { at: ms, auditId } of the last completed audit. */
export const LAST_KEY = 'auditLast';
/** ms: when the reminder was first set up (the first audit is due an interval later). */
const SINCE_KEY = 'auditSince';
/** dueAt (ms) of the period already notified, so one due audit gives one notification. */
const NOTIFIED_KEY = 'auditNotified';
const NOTIFICATION = 'ringfence-audit-due';

/** While an audit runs, the runner owns the badge (its progress). */
let runnerOwnsBadge = false;
export function setRunnerBadge(owned: boolean): void { runnerOwnsBadge = owned; }

interface Stored { [LAST_KEY]?: { at: number; auditId: string }; [SINCE_KEY]?: number; [NOTIFIED_KEY]?: number }

export async function reminder(now = Date.now()): Promise<AuditReminder & { schedule: Schedule }> {
  const [settings, got] = await Promise.all([loadSettings(),
    api.storage.local.get([LAST_KEY, SINCE_KEY, NOTIFIED_KEY]) as Promise<Stored>]);
  let since = got[SINCE_KEY];
  if (typeof since !== 'number') {
    since = now;
    await api.storage.local.set({ [SINCE_KEY]: since });
  }
  const interval = normalizeInterval(settings.auditIntervalDays, AUDIT.defaultIntervalDays);
  const last = got[LAST_KEY];
  const s = schedule({ lastAudit: typeof last?.at === 'number' ? last.at : null, since }, interval, now);
  return { schedule: s, intervalDays: interval, due: s.due, dueAt: s.dueAt, lastAudit: last?.at ?? null,
    lastAuditId: last?.auditId ?? null, notify: settings.auditNotify };
}

function notifications(): typeof chrome.notifications | undefined {
  // Present only once the optional permission is granted.
  return (api as { notifications?: typeof chrome.notifications }).notifications;
}

export async function showDueBadge(due: boolean): Promise<void> {
  if (runnerOwnsBadge) return;
  await api.action.setBadgeText({ text: due ? t('audit_badge') : '' });
  if (due) await api.action.setBadgeBackgroundColor({ color: '#1d4ed8' });
  await api.action.setTitle({ title: due ? `${t('actionTitle')} — ${t('audit_due')}` : t('actionTitle') });
}

/** Recomputes the schedule: sets the alarm, the badge, and notifies once per due audit. */
export async function refreshReminder(): Promise<AuditReminder> {
  const r = await reminder();
  await api.alarms.clear(ALARM);
  if (r.schedule.alarmAt !== null) await api.alarms.create(ALARM, { when: r.schedule.alarmAt });
  await showDueBadge(r.due);
  const n = notifications();
  if (r.due && r.notify && n && r.dueAt !== null) {
    const got = await api.storage.local.get(NOTIFIED_KEY) as Stored;
    if (got[NOTIFIED_KEY] !== r.dueAt) {
      await api.storage.local.set({ [NOTIFIED_KEY]: r.dueAt });
      await n.create(NOTIFICATION, { type: 'basic', iconUrl: api.runtime.getURL('icons/icon128.png'),
        title: t('audit_notify_title'), message: t('audit_notify_text') });
    }
  }
  const { schedule: _s, ...info } = r;
  return info;
}

/** Records a completed audit: the next one is due an interval from now. */
export async function auditCompleted(auditId: string, at = Date.now()): Promise<void> {
  await api.storage.local.set({ [LAST_KEY]: { at, auditId } });
}

let clickWatched = false;
function watchNotificationClicks(): void {
  const n = notifications();
  if (!n || clickWatched) return;
  clickWatched = true;
  n.onClicked.addListener((id) => {
    if (id !== NOTIFICATION) return;
    void n.clear(id);
    // Marked, so the audit begun from it is recorded as scheduled.
    void api.tabs.create({ url: api.runtime.getURL('audit.html?reminder=1') });
  });
}

export function watchReminder(): void {
  api.alarms.onAlarm.addListener((a) => { if (a.name === ALARM) void refreshReminder(); });
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && (SETTINGS_KEY in changes || LAST_KEY in changes)) void refreshReminder();
  });
  api.permissions.onAdded.addListener(watchNotificationClicks);
  watchNotificationClicks();
  void refreshReminder();
}
