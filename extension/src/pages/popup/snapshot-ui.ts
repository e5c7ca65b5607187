// The snapshot part of the toolbar popup: the #snapshot button with a category override, progress
// for captures that take longer than a second, and the latest snapshots from the host.
import { api } from '../../shared/browser';
import { CATEGORIES } from '../../shared/vocab';
import type { DashboardReply, SnapshotProgress } from '../../shared/messages';
import type { SnapshotListReply } from '../../shared/spec.gen';
import { snapText as s, t } from '../../shared/i18n';

const SHOW_AFTER_MS = 1000;

function fmtBytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

export function initSnapshotUi(doc: Document): void {
  const button = doc.getElementById('snapshot') as HTMLButtonElement;
  const progress = doc.getElementById('progress')!;
  const list = doc.getElementById('snapshots')!;
  progress.setAttribute('aria-live', 'polite');

  const label = doc.createElement('label');
  label.textContent = `${s('category_label')} `;
  const select = doc.createElement('select');
  select.id = 'category';
  for (const c of ['', ...CATEGORIES]) {
    const o = doc.createElement('option');
    o.value = c;
    o.textContent = c ? s(c) : s('category_auto');
    select.append(o);
  }
  label.append(select);
  button.before(label);

  let started = 0;
  let watching = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const show = (text: string, state: string, force = false): void => {
    progress.dataset.state = state;
    progress.textContent = text;
    if (force || Date.now() - started >= SHOW_AFTER_MS) progress.hidden = false;
  };

  api.runtime.onMessage.addListener((msg: { type?: string; progress?: SnapshotProgress }) => {
    if (msg?.type !== 'snapshot.progress' || !msg.progress || !watching) return;
    const p = msg.progress;
    if (p.stage === 'done' || p.stage === 'failed') {
      // Only reached for a capture started from an earlier popup; a click's own reply does the rest.
      if (!button.disabled) {
        watching = false;
        show(p.stage === 'done' ? s('done', [p.snapshotId ?? '']) : s('failed', [p.error ?? '']), p.stage, true);
        void refreshList(list);
      }
      return;
    }
    if (p.stage === 'uploading') show(s('uploading', [p.total ? `${Math.round((100 * p.sent) / p.total)} % of ${fmtBytes(p.total)}` : '']), 'uploading');
    else if (p.stage === 'capturing' || p.stage === 'screenshots') show(s(p.stage), p.stage);
  });

  button.addEventListener('click', () => {
    button.disabled = true;
    watching = true;
    started = Date.now();
    progress.hidden = true;
    show(s('capturing'), 'capturing');
    // Short captures finish before anything is shown; longer ones show their progress after 1 s.
    timer = setTimeout(() => { progress.hidden = false; }, SHOW_AFTER_MS);
    const category = select.value || undefined;
    void (api.runtime.sendMessage({ type: 'snapshot', trigger: 'button', category }) as Promise<{ snapshotId?: string; error?: string; queued?: string }>)
      .then((r) => {
        clearTimeout(timer);
        if (r?.snapshotId) show(s('done', [r.snapshotId]), 'done', true);
        else if (r?.queued) show(r.queued, 'queued', true); // host unreachable: kept in memory, says so
        else show(s('failed', [r?.error ?? 'no reply']), 'failed', true);
        progress.dataset.snapshotId = r?.snapshotId ?? '';
      })
      .finally(() => { button.disabled = false; watching = false; void refreshList(list); });
  });
  void refreshList(list);
  // Reopened during a long capture (the popup closes when it loses focus): show where it is.
  void (api.runtime.sendMessage({ type: 'snapshot.state' }) as Promise<SnapshotProgress | null>).then((p) => {
    if (p && (p.stage === 'capturing' || p.stage === 'screenshots' || p.stage === 'uploading')) {
      watching = true;
      show(p.stage === 'uploading' ? s('uploading', ['']) : s(p.stage), p.stage, true);
    }
  });
}

/** Opens the host's evidence dashboard in a tab, at one snapshot when given; says why when it cannot. */
export async function openDashboard(snapshotId?: string): Promise<void> {
  const out = document.getElementById('dashboard-result');
  const r = await api.runtime.sendMessage({ type: 'dashboard', snapshotId }) as DashboardReply | undefined;
  if (out && !r?.url) {
    out.hidden = false;
    out.dataset.state = 'error';
    out.textContent = t('popup_dashboard_failed', [r?.error ?? 'no reply']);
  }
}

async function refreshList(list: HTMLElement): Promise<void> {
  const r = await api.runtime.sendMessage({ type: 'snapshots' }) as Partial<SnapshotListReply> & { error?: string } | undefined;
  list.replaceChildren();
  const item = (text: string): HTMLLIElement => {
    const li = list.ownerDocument.createElement('li');
    li.textContent = text;
    list.append(li);
    return li;
  };
  if (!r || r.error) { item(s('list_failed', [r?.error ?? ''])); return; }
  if (!r.snapshots?.length) { item(s('none')); return; }
  for (const snap of r.snapshots) {
    const when = new Date(snap.captured_at);
    const li = item('');
    // Each entry opens that snapshot in the dashboard.
    const open = list.ownerDocument.createElement('button');
    open.type = 'button';
    open.className = 'snapshot-open';
    open.textContent = `${when.toLocaleString()} · ${snap.title || snap.url} · ${s(snap.category)}`;
    open.title = t('popup_snapshot_open');
    open.addEventListener('click', () => { void openDashboard(snap.id); });
    li.append(open);
    li.dataset.id = snap.id;
    li.dataset.category = snap.category;
    li.dataset.trigger = snap.trigger;
    li.title = snap.url;
  }
}
