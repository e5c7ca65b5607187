// Toolbar popup: one line for the host's state (with its one fix when it is missing or failing),
// this tab's warnings, snapshot and export with progress and a result, the latest snapshots.
import { api } from '../../shared/browser';
import { localize, t } from '../../shared/i18n';
import type { AuditReminder, ExportProgress, ExportReply, StatusReply } from '../../shared/messages';
import { initSnapshotUi, openDashboard } from './snapshot-ui';

async function refresh(): Promise<void> {
  const reply = await api.runtime.sendMessage({ type: 'status' }) as StatusReply;
  const status = document.getElementById('host-status')!;
  const text = document.getElementById('host-text')!;
  const fix = document.getElementById('host-fix')!;
  const state = reply.host.state;
  status.dataset.state = state;
  fix.hidden = state === 'connected' || state === 'unknown';
  // Export and the snapshot list need the host: without it they are not offered (the line above
  // says why), rather than failing a second and a third time.
  const usable = state === 'connected' || state === 'unknown';
  // A snapshot without the host is kept in memory until it is there (the background says so).
  document.getElementById('export')!.hidden = !usable;
  document.getElementById('snapshots-section')!.hidden = !usable;
  if (state === 'connected') text.textContent = t('popup_host_connected', [reply.host.hostVersion ?? '']);
  else if (state === 'not_installed') {
    text.textContent = t('popup_host_not_installed');
    document.getElementById('host-fix-text')!.textContent = reply.queuedEvents
      ? t('popup_fix_install_queued', [String(reply.queuedEvents)]) : t('popup_fix_install');
    document.getElementById('host-fix-cmd')!.textContent = 'ringfence install';
  } else if (state === 'error') {
    text.textContent = t('popup_host_error');
    document.getElementById('host-fix-text')!.textContent = t('popup_fix_doctor');
    document.getElementById('host-fix-cmd')!.textContent = 'ringfence doctor';
    // The browser's own words, for a bug report: folded away, never the headline.
    const detail = document.getElementById('host-detail') as HTMLDetailsElement;
    detail.hidden = !reply.host.detail;
    document.getElementById('host-detail-text')!.textContent = reply.host.detail;
  }
  const list = document.getElementById('warnings')!;
  list.replaceChildren();
  if (!reply.warnings.length) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = t('popup_no_warnings');
    list.append(li);
  }
  for (const w of reply.warnings) {
    const li = document.createElement('li');
    li.className = `sev-${w.severity}`;
    li.dataset.rule = w.ruleId;
    li.textContent = t(`${w.message}_title`);
    list.append(li);
  }
}

function initCopy(): void {
  const button = document.getElementById('copy-fix') as HTMLButtonElement;
  button.addEventListener('click', () => {
    const cmd = document.getElementById('host-fix-cmd')!.textContent ?? '';
    void navigator.clipboard.writeText(cmd).then(() => { button.textContent = t('popup_copied'); }, () => {
      // No clipboard access: select the command so Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('host-fix-cmd')!);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
    });
  });
}

function initExport(): void {
  const button = document.getElementById('export') as HTMLButtonElement;
  const result = document.getElementById('export-result')!;
  const progress = document.getElementById('export-progress')!;
  const bar = progress.querySelector('progress')!;
  const label = progress.querySelector('.label')!;
  api.runtime.onMessage.addListener((msg: ExportProgress) => {
    if (msg?.type !== 'export.progress' || !button.disabled) return;
    progress.hidden = false;
    const stage = msg.stage === 'events' || msg.stage === 'report' ? msg.stage : 'artifacts';
    label.textContent = t(`popup_export_stage_${stage}`, [String(msg.done), String(msg.total)]);
    if (msg.total > 0) bar.value = Math.round((100 * msg.done) / msg.total); else bar.removeAttribute('value');
  });
  button.addEventListener('click', () => {
    button.disabled = true;
    result.hidden = true;
    progress.hidden = false;
    bar.removeAttribute('value');
    label.textContent = t('popup_exporting');
    void (api.runtime.sendMessage({ type: 'export' }) as Promise<ExportReply | undefined>).then((r) => {
      result.hidden = false;
      result.dataset.state = r?.path ? 'done' : 'error';
      result.textContent = r?.path ? t('popup_exported', [r.path]) : t('popup_export_failed', [friendly(r?.error)]);
    }, (e: unknown) => {
      result.hidden = false;
      result.dataset.state = 'error';
      result.textContent = t('popup_export_failed', [friendly(String(e))]);
    }).finally(() => { button.disabled = false; progress.hidden = true; });
  });
}

/** The browser's messages about a missing host are not for people: say what it means instead. */
export function friendly(error: string | undefined): string {
  if (!error) return t('popup_error_unknown');
  if (/native messaging host|no such native application|not registered|host exited|disconnected/i.test(error)) return t('popup_error_no_host');
  return error;
}

/** "Run audit" opens the audit page (nothing starts before its Start); "Audit due" when the reminder says so. */
function initAudit(): void {
  document.getElementById('audit')!.addEventListener('click', () => {
    void api.tabs.create({ url: api.runtime.getURL('audit.html') }).then(() => window.close());
  });
  void (api.runtime.sendMessage({ type: 'audit.reminder' }) as Promise<AuditReminder | undefined>).then((r) => {
    const line = document.getElementById('audit-due')!;
    line.hidden = !r?.due;
    line.textContent = r?.due ? t('popup_audit_due') : '';
  });
}

localize(document);
document.getElementById('host-text')!.textContent = t('popup_host_unknown');
initSnapshotUi(document, friendly);
initCopy();
initExport();
document.getElementById('dashboard')!.addEventListener('click', () => { void openDashboard(); });
initAudit();
void refresh();
