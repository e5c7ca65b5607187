// The snapshot part of the toolbar popup: the #snapshot button with a category override, progress
// for captures that take longer than a second, and the latest snapshots from the host, each of
// which opens its details right here.
import { api } from '../../shared/browser';
import { CATEGORIES } from '../../shared/vocab';
import type { DashboardReply, SnapshotProgress } from '../../shared/messages';
import type { SnapshotSummary } from '../../shared/spec.gen';
import { snapText as s, t } from '../../shared/i18n';

type ListedSnapshot = SnapshotSummary;

const SHOW_AFTER_MS = 1000;

export function fmtBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

export function initSnapshotUi(doc: Document, friendly: (e: string | undefined) => string): void {
  const button = doc.getElementById('snapshot') as HTMLButtonElement;
  const progress = doc.getElementById('progress')!;
  const bar = progress.querySelector('progress')!;
  const label = progress.querySelector('.label')!;
  const list = doc.getElementById('snapshots')!;
  progress.setAttribute('role', 'status');

  const row = doc.createElement('div');
  row.className = 'row';
  const lab = doc.createElement('label');
  lab.htmlFor = 'category';
  lab.textContent = s('category_label');
  const select = doc.createElement('select');
  select.id = 'category';
  for (const c of ['', ...CATEGORIES]) {
    const o = doc.createElement('option');
    o.value = c;
    o.textContent = c ? s(c) : s('category_auto');
    select.append(o);
  }
  row.append(lab, select);
  button.parentElement!.before(row);

  let started = 0;
  let watching = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const show = (text: string, state: string, pct: number | null, force = false): void => {
    progress.dataset.state = state;
    label.textContent = text;
    if (pct === null) bar.removeAttribute('value'); else bar.value = pct;
    if (force || Date.now() - started >= SHOW_AFTER_MS) progress.hidden = false;
  };

  api.runtime.onMessage.addListener((msg: { type?: string; progress?: SnapshotProgress }) => {
    if (msg?.type !== 'snapshot.progress' || !msg.progress) return;
    const p = msg.progress;
    // The second commit (full-page tiles, MHTML) of the snapshot this popup says is stored is done.
    if (p.stage === 'done' && p.following === false && p.snapshotId && progress.dataset.snapshotId === p.snapshotId) {
      show(s('done', [p.snapshotId]), 'done', 100, true);
      progress.dataset.following = '';
      void refreshList(list);
      return;
    }
    if (!watching) return;
    if (p.stage === 'done' || p.stage === 'failed') {
      // Only reached for a capture started from an earlier popup; a click's own reply does the rest.
      if (!button.disabled) {
        watching = false;
        show(p.stage === 'done' ? s(p.following ? 'following' : 'done', [p.snapshotId ?? '']) : s('failed', [friendly(p.error)]), p.stage, null, true);
        progress.dataset.snapshotId = p.snapshotId ?? '';
        progress.dataset.following = p.following ? '1' : '';
        void refreshList(list);
      }
      return;
    }
    if (p.stage === 'uploading') {
      const pct = p.total ? Math.round((100 * p.sent) / p.total) : null;
      show(s('uploading', [pct !== null ? `${pct} % / ${fmtBytes(p.total)}` : '']), 'uploading', pct);
    } else if (p.stage === 'capturing' || p.stage === 'screenshots') show(s(p.stage), p.stage, null);
  });

  button.addEventListener('click', () => {
    button.disabled = true;
    watching = true;
    started = Date.now();
    progress.hidden = true;
    show(s('capturing'), 'capturing', null);
    // Short captures finish before anything is shown; longer ones show their progress after 1 s.
    timer = setTimeout(() => { progress.hidden = false; }, SHOW_AFTER_MS);
    const category = select.value || undefined;
    void (api.runtime.sendMessage({ type: 'snapshot', trigger: 'button', category }) as Promise<{ snapshotId?: string; following?: boolean; error?: string; queued?: string }>)
      .then((r) => {
        clearTimeout(timer);
        // Stored at the first commit; the full-page tiles may still be on their way (said so).
        if (r?.snapshotId) show(s(r.following ? 'following' : 'done', [r.snapshotId]), 'done', 100, true);
        else if (r?.queued) show(r.queued, 'queued', null, true); // host unreachable: kept in memory, says so
        else show(s('failed', [friendly(r?.error)]), 'failed', null, true);
        progress.dataset.snapshotId = r?.snapshotId ?? '';
        progress.dataset.following = r?.following ? '1' : '';
        // The second commit may have finished before this reply was handled.
        if (r?.following) {
          void (api.runtime.sendMessage({ type: 'snapshot.state' }) as Promise<SnapshotProgress | null>).then((p) => {
            if (p?.stage === 'done' && p.following === false && p.snapshotId && p.snapshotId === r.snapshotId && progress.dataset.following) {
              show(s('done', [p.snapshotId]), 'done', 100, true);
              progress.dataset.following = '';
            }
          });
        }
      })
      .finally(() => { button.disabled = false; watching = false; void refreshList(list); });
  });
  void refreshList(list);
  // Reopened during a long capture (the popup closes when it loses focus): show where it is.
  void (api.runtime.sendMessage({ type: 'snapshot.state' }) as Promise<SnapshotProgress | null>).then((p) => {
    if (p && (p.stage === 'capturing' || p.stage === 'screenshots' || p.stage === 'uploading')) {
      watching = true;
      show(p.stage === 'uploading' ? s('uploading', ['']) : s(p.stage), p.stage, null, true);
    } else if (p?.stage === 'done' && p.following && p.snapshotId) {
      // Stored, its full-page tiles still on their way: the progress message that ends it updates this.
      show(s('following', [p.snapshotId]), 'done', 100, true);
      progress.dataset.snapshotId = p.snapshotId;
      progress.dataset.following = '1';
    }
  });

  async function refreshList(ul: HTMLElement): Promise<void> {
    const r = await api.runtime.sendMessage({ type: 'snapshots' }) as { snapshots?: ListedSnapshot[]; error?: string } | undefined;
    ul.replaceChildren();
    const item = (text: string): HTMLLIElement => {
      const li = doc.createElement('li');
      li.className = 'none';
      li.textContent = text;
      ul.append(li);
      return li;
    };
    if (!r || r.error) { item(s('list_failed', [friendly(r?.error)])); return; }
    if (!r.snapshots?.length) { item(s('none')); return; }
    for (const snap of r.snapshots) ul.append(entry(snap));
  }

  function entry(snap: ListedSnapshot): HTMLLIElement {
    const li = doc.createElement('li');
    li.dataset.id = snap.id;
    li.dataset.category = snap.category;
    li.dataset.trigger = snap.trigger;
    const open = doc.createElement('button');
    open.type = 'button';
    open.className = 'open';
    open.dataset.open = '';
    const when = doc.createElement('span');
    when.className = 'when';
    when.textContent = `${new Date(snap.captured_at).toLocaleString()} · ${s(snap.category)}`;
    const what = doc.createElement('span');
    what.className = 'what';
    what.textContent = snap.title || snap.url;
    open.append(what, when);
    li.append(open);
    // The whole snapshot (screenshots, page, settings, diffs) is in the dashboard.
    const inDashboard = doc.createElement('button');
    inDashboard.type = 'button';
    inDashboard.className = 'small snapshot-open';
    inDashboard.textContent = t('popup_dashboard_short');
    inDashboard.title = t('popup_snapshot_open');
    inDashboard.addEventListener('click', () => { void openDashboard(snap.id); });
    li.append(inDashboard);
    const details = detailsOf(snap);
    details.id = `snap-${snap.id}`;
    details.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    open.setAttribute('aria-controls', details.id);
    open.addEventListener('click', () => {
      details.hidden = !details.hidden;
      open.setAttribute('aria-expanded', String(!details.hidden));
    });
    li.append(details);
    return li;
  }

  function detailsOf(snap: ListedSnapshot): HTMLElement {
    const box = doc.createElement('div');
    box.className = 'details';
    const dl = doc.createElement('dl');
    const add = (k: string, v: string): void => {
      const dt = doc.createElement('dt');
      dt.textContent = s(k);
      const dd = doc.createElement('dd');
      dd.textContent = v;
      dl.append(dt, dd);
    };
    add('detail_id', snap.id);
    add('detail_time', new Date(snap.captured_at).toLocaleString());
    add('detail_url', snap.url);
    add('detail_trigger', s(`trigger_${snap.trigger}`));
    if (snap.artifact_count !== undefined) add('detail_files', `${snap.artifact_count} · ${fmtBytes(snap.bytes ?? 0)}`);
    const cmd = doc.createElement('code');
    cmd.textContent = `ringfence show ${snap.id}`;
    add('detail_cli', '');
    dl.lastElementChild!.append(cmd);
    box.append(dl);
    return box;
  }
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
