// The snapshot part of the toolbar popup: the #snapshot button with a category override, progress
// for captures that take longer than a second, and the latest snapshots from the host.
import { api } from '../../shared/browser';
import { CATEGORIES } from '../../shared/vocab';
import type { SnapshotProgress } from '../../shared/messages';
import { snapText as s } from '../../shared/i18n';

interface ListedSnapshot { id: string; captured_at: string; title: string; url: string; category: string; trigger: string }

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
    void (api.runtime.sendMessage({ type: 'snapshot', trigger: 'button', category }) as Promise<{ snapshotId?: string; error?: string }>)
      .then((r) => {
        clearTimeout(timer);
        if (r?.snapshotId) show(s('done', [r.snapshotId]), 'done', true);
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

async function refreshList(list: HTMLElement): Promise<void> {
  const r = await api.runtime.sendMessage({ type: 'snapshots' }) as { snapshots?: ListedSnapshot[]; error?: string } | undefined;
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
    const li = item(`${when.toLocaleString()} · ${snap.title || snap.url} · ${s(snap.category)}`);
    li.dataset.id = snap.id;
    li.dataset.category = snap.category;
    li.dataset.trigger = snap.trigger;
    li.title = snap.url;
  }
}
