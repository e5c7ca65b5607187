// Toolbar popup: host status with the fix when it is missing, this tab's warnings, snapshot button.
// #progress and #snapshots are filled by the snapshot feature (issue 5).
import { api } from '../../shared/browser';
import { localize, t } from '../../shared/i18n';
import type { ExportProgress, ExportReply, StatusReply } from '../../shared/messages';
import { initSnapshotUi } from './snapshot-ui';

async function refresh(): Promise<void> {
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  const reply = await api.runtime.sendMessage({ type: 'status', tabId: tab?.id }) as StatusReply & { queuedEvents: number };
  const status = document.getElementById('host-status')!;
  const state = reply.host.state;
  status.dataset.state = state;
  status.textContent = state === 'connected' ? `${t('popup_host_connected')} (${reply.host.hostVersion ?? ''})`
    : state === 'not_installed' ? t('popup_host_not_installed')
      : state === 'error' ? `${t('popup_host_error')} ${reply.host.detail}` : t('popup_host_unknown');
  document.getElementById('host-fix')!.hidden = state === 'connected';
  const queued = document.getElementById('queued')!;
  queued.hidden = !reply.queuedEvents;
  queued.textContent = reply.queuedEvents ? t('popup_queued', [String(reply.queuedEvents)]) : '';
  const list = document.getElementById('warnings')!;
  list.replaceChildren();
  if (!reply.warnings.length) {
    const li = document.createElement('li');
    li.textContent = t('popup_no_warnings');
    list.append(li);
  }
  for (const w of reply.warnings) {
    const li = document.createElement('li');
    li.className = `sev-${w.severity}`;
    li.dataset.rule = w.ruleId;
    li.textContent = t(`${w.message}_title`);
    li.title = `${w.ruleId} (${w.severity}, ${w.level})`;
    list.append(li);
  }
}

localize(document);
initSnapshotUi(document);
const exportButton = document.getElementById('export') as HTMLButtonElement;
const exportResult = document.getElementById('export-result')!;
api.runtime.onMessage.addListener((msg: ExportProgress) => {
  if (msg?.type === 'export.progress' && exportButton.disabled) {
    exportResult.textContent = t('popup_exporting', [`${msg.done}/${msg.total}`]);
  }
});
exportButton.addEventListener('click', () => {
  exportButton.disabled = true;
  exportResult.hidden = false;
  exportResult.textContent = t('popup_exporting', ['']);
  void (api.runtime.sendMessage({ type: 'export' }) as Promise<ExportReply>).then((r) => {
    exportResult.dataset.state = r?.path ? 'done' : 'error';
    exportResult.textContent = r?.path ? t('popup_exported', [r.path]) : t('popup_export_failed', [r?.error ?? '']);
  }).finally(() => { exportButton.disabled = false; });
});
void refresh();
