// The options page's audit reminder (docs/audit.md): how often (off possible), "notify me" (asks
// the optional `notifications` permission in the click), when the next audit is due, and a link
// to the audit page.
import { api } from '../../shared/browser';
import { t } from '../../shared/i18n';
import { loadSettings, updateSettings } from '../../shared/settings';
import type { AuditReminder } from '../../shared/messages';

const CHOICES = [0, 1, 3, 7, 14, 30];
const NOTIFICATIONS: chrome.permissions.Permissions = { permissions: ['notifications'] };

export async function initAuditOptions(doc: Document, saved: () => void): Promise<void> {
  const section = doc.getElementById('audit-settings');
  if (!section) return;
  const s = await loadSettings();

  const row = doc.createElement('div');
  row.className = 'field';
  const label = doc.createElement('label');
  label.htmlFor = 'audit-interval';
  label.textContent = t('options_audit_interval');
  const select = doc.createElement('select');
  select.id = 'audit-interval';
  const days = CHOICES.includes(s.auditIntervalDays) ? CHOICES : [...CHOICES, s.auditIntervalDays].sort((a, b) => a - b);
  for (const d of days) {
    const o = doc.createElement('option');
    o.value = String(d);
    o.textContent = d === 0 ? t('options_audit_off') : d === 7 ? t('options_audit_weekly') : t('options_audit_days', [String(d)]);
    o.selected = d === s.auditIntervalDays;
    select.append(o);
  }
  row.append(label, select);

  const notifyLabel = doc.createElement('label');
  notifyLabel.className = 'check';
  const notify = doc.createElement('input');
  notify.type = 'checkbox';
  notify.id = 'audit-notify';
  const span = doc.createElement('span');
  span.textContent = t('options_audit_notify');
  notifyLabel.append(notify, span);
  const notifyState = doc.createElement('p');
  notifyState.id = 'audit-notify-state';
  notifyState.className = 'help';
  notifyState.setAttribute('aria-live', 'polite');

  const next = doc.createElement('p');
  next.id = 'audit-next';
  const link = doc.createElement('a');
  link.id = 'audit-run';
  link.href = api.runtime.getURL('audit.html');
  link.target = '_blank';
  link.textContent = t('options_audit_run');

  const checks = doc.createElement('div');
  checks.className = 'checks';
  checks.append(notifyLabel);
  section.append(row, checks, notifyState, next, link);

  // Notifications count as on only when the permission is there too.
  notify.checked = s.auditNotify && await api.permissions.contains(NOTIFICATIONS).catch(() => false);

  const showNext = async (): Promise<void> => {
    const r = await api.runtime.sendMessage({ type: 'audit.reminder' }) as AuditReminder | undefined;
    next.dataset.due = String(!!r?.due);
    if (!r || r.dueAt === null) next.textContent = t('options_audit_next_off');
    else if (r.due) next.textContent = t('popup_audit_due');
    else next.textContent = t('options_audit_next', [new Date(r.dueAt).toLocaleDateString(api.i18n.getUILanguage(), { day: 'numeric', month: 'long', year: 'numeric' })]);
  };
  select.addEventListener('change', () => {
    void updateSettings({ auditIntervalDays: Number(select.value) }).then(() => { saved(); return showNext(); });
  });
  notify.addEventListener('change', () => {
    if (!notify.checked) {
      void updateSettings({ auditNotify: false }).then(saved);
      return;
    }
    // permissions.request must run in the click's user gesture: nothing is awaited before it.
    api.permissions.request(NOTIFICATIONS).then(async (granted) => {
      notify.checked = granted;
      notifyState.textContent = granted ? '' : t('options_audit_notify_denied');
      await updateSettings({ auditNotify: granted });
      saved();
    }, (e: unknown) => { notify.checked = false; notifyState.textContent = e instanceof Error ? e.message : String(e); });
  });
  await showNext();
}
