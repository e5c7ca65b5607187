// The audit page (docs/audit.md): Start (which asks for the screenshot permission, in the click),
// Stop and Resume; the pages of the run with their state, n of N; at the end the host's summary:
// actions first, what changed since the previous audit, skipped pages, the identity check, and
// "Open in dashboard". It starts nothing by itself: the background runs the audit on Start.
import { api } from '../../shared/browser';
import { localize, t } from '../../shared/i18n';
import { AUDIT, type AuditSummary } from '../../shared/spec.gen';
import type { AuditRun, AuditStateReply, DashboardReply } from '../../shared/messages';

const ALL_URLS: chrome.permissions.Permissions = { origins: ['<all_urls>'] };
const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const titles = new Map(AUDIT.steps.map((s) => [s.id, s.title]));
// Framed by another page (audit.html is reachable from the loopback dashboard): a click there
// could be a click tricked out of the user, so the page only works in its own tab.
const framed = window.top !== window;
/** Opened from the reminder's notification: the audit is recorded as scheduled. */
const fromReminder = new URLSearchParams(location.search).get('reminder') === '1';

let state: AuditStateReply = { run: null, live: false };
let hasAllUrls = false;
let pending = false;

function li(text: string, cls?: string): HTMLLIElement {
  const e = document.createElement('li');
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString(api.i18n.getUILanguage()) : '');

/** One render per frame, whatever number of updates arrived. A tab hidden after the frame was
 * asked for (the audit's own tab comes to the front) gets no frame: a timer draws then. */
let scheduled = false;
function render(): void {
  if (scheduled) return;
  scheduled = true;
  const run = (): void => {
    if (!scheduled) return;
    scheduled = false;
    draw();
  };
  requestAnimationFrame(run);
  setTimeout(run, 150);
}

function stepStatus(run: AuditRun, i: number): string {
  const p = run.plan[i];
  const r = run.results.find((x) => x.step_id === p.stepId && (x.project ?? '') === (p.project ?? ''));
  if (r && (i < run.index || run.status === 'completed')) return r.status;
  if (i === run.index && state.live && (run.status === 'running' || run.status === 'stopping')) return 'running';
  return r?.status ?? 'pending';
}

function draw(): void {
  const run = state.run;
  const active = !!run && state.live && ['running', 'stopping', 'finishing'].includes(run.status);
  const resumable = !!run && !active && run.status !== 'completed' && run.status !== 'abandoned';
  const start = $<HTMLButtonElement>('start');
  const stop = $<HTMLButtonElement>('stop');
  const resume = $<HTMLButtonElement>('resume');
  start.hidden = active;
  start.disabled = framed || pending;
  start.textContent = t(run ? 'audit_start_new' : 'audit_start');
  resume.hidden = !resumable;
  resume.disabled = framed || pending;
  stop.hidden = !active || run?.status === 'finishing';
  stop.disabled = run?.status === 'stopping';
  stop.textContent = t(run?.status === 'stopping' ? 'audit_stopping' : 'audit_stop');
  document.body.dataset.status = run ? (active ? run.status : resumable ? 'paused' : run.status) : 'none';

  const shots = $('screenshots');
  const want = $<HTMLInputElement>('want-screenshots');
  // Granted once, screenshots are taken (the permission is revoked in options, not here).
  want.disabled = hasAllUrls || active;
  if (hasAllUrls) want.checked = true;
  shots.textContent = framed ? t('audit_framed')
    : run && !run.screenshots && (active || run.status === 'completed') ? t('audit_no_screenshots')
      : t(hasAllUrls ? 'audit_screenshots_allowed' : want.checked ? 'audit_screenshots_ask' : 'audit_screenshots_off');
  shots.dataset.screenshots = String(run && (active || run.status === 'completed') ? run.screenshots : hasAllUrls);

  const msg = $('message');
  const err = state.error ?? run?.error;
  msg.hidden = !err && !(resumable && run);
  msg.textContent = err ? t('audit_error', [err]) : resumable ? t('audit_paused', [String(run!.index), String(run!.plan.length)]) : '';
  msg.dataset.state = err ? 'error' : 'ok';

  const progress = $('progress');
  const steps = $('steps');
  if (!run) {
    progress.hidden = true;
    steps.replaceChildren();
    $('summary').hidden = true;
    return;
  }
  progress.hidden = false;
  const done = run.status === 'completed' ? run.plan.length : run.index;
  $('progress-text').textContent = run.status === 'completed' ? t('audit_done', [String(run.plan.length)])
    : run.status === 'finishing' ? t('audit_finishing') : t('audit_progress', [String(Math.min(done + (active ? 1 : 0), run.plan.length)), String(run.plan.length)]);
  const bar = $<HTMLProgressElement>('progress-bar');
  bar.max = Math.max(1, run.plan.length);
  bar.value = done;
  steps.replaceChildren(...run.plan.map((p, i) => {
    const status = stepStatus(run, i);
    const e = document.createElement('li');
    e.dataset.step = p.stepId;
    if (p.project) e.dataset.project = p.project;
    e.dataset.status = status;
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.setAttribute('aria-hidden', 'true');
    const title = document.createElement('span');
    title.textContent = p.title;
    const st = document.createElement('span');
    st.className = 'state';
    st.textContent = t(`audit_status_${status}`);
    e.append(mark, title, st);
    const r = run.results.find((x) => x.step_id === p.stepId && (x.project ?? '') === (p.project ?? ''));
    if (r?.reason && status !== 'pending' && status !== 'running') {
      const reason = document.createElement('span');
      reason.className = 'reason';
      reason.textContent = r.final_url && r.status === 'skipped' ? `${r.reason} (${r.final_url})` : r.reason;
      e.append(reason);
    }
    return e;
  }));
  const summary = $('summary');
  summary.hidden = !(run.status === 'completed' && run.summary);
  if (run.status === 'completed' && run.summary) drawSummary(run.summary);
}

function drawSummary(s: AuditSummary): void {
  $('summary').dataset.auditId = s.audit_id;
  $('summary-when').textContent = s.changes
    ? t('audit_summary_when', [when(s.finished_at ?? s.started_at), s.changes.previous_id])
    : t('audit_summary_first', [when(s.finished_at ?? s.started_at)]);
  const actions = [...s.actions].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'high' ? -1 : 1));
  $('actions').replaceChildren(...(actions.length ? actions.map((a) => {
    const e = li(a.text);
    e.dataset.severity = a.severity;
    if (a.step_id) e.dataset.step = a.step_id;
    return e;
  }) : [li(t('audit_no_actions'), 'none')]));

  const items: HTMLLIElement[] = [];
  const item = (kind: string, text: string, step?: string): void => {
    const e = document.createElement('li');
    e.dataset.kind = kind;
    if (step) e.dataset.step = step;
    const k = document.createElement('span');
    k.className = 'kind';
    k.textContent = t(`audit_kind_${kind.replace('-', '_')}`);
    e.append(k, text);
    items.push(e);
  };
  const c = s.changes;
  if (c) {
    for (const k of c.keys_added) item('key-added', `${k.name} (${k.prefix})${k.project ? ` — ${k.project}` : ''}${k.unowned ? ` — ${t('audit_key_unowned')}` : ''}`, k.step_id);
    for (const k of c.keys_removed) item('key-removed', `${k.name} (${k.prefix})${k.project ? ` — ${k.project}` : ''}`, k.step_id);
    for (const x of c.settings) item('setting', `${x.label}: ${x.from} → ${x.to} (${titles.get(x.step_id) ?? x.step_id})`, x.step_id);
    for (const x of c.account) item('account', `${x.label}: ${x.from} → ${x.to} (${titles.get(x.step_id) ?? x.step_id})`, x.step_id);
    for (const n of c.notices) item('notice', `${n.title} (${when(n.at)})`);
  }
  $('changes').replaceChildren(...(items.length ? items : [li(c ? t('audit_no_changes') : t('audit_first'), 'none')]));

  const skipped = s.steps.filter((x) => x.status !== 'captured');
  $('skipped').replaceChildren(...(skipped.length ? skipped.map((x) => {
    const e = li(`${x.title} — ${t(`audit_status_${x.status}`)}${x.reason ? `: ${x.reason}` : ''}${x.final_url ? ` (${x.final_url})` : ''}`);
    e.dataset.step = x.step_id;
    e.dataset.status = x.status;
    return e;
  }) : [li(t('audit_none_skipped'), 'none')]));

  const id = $('identity');
  id.dataset.shared = String(s.identity.shared);
  const head = document.createElement('p');
  head.textContent = s.identity.shared
    ? t('audit_identity_shared', [[...s.identity.emails, ...s.identity.phones].join(', ')])
    : t('audit_identity_separate');
  const parts: HTMLElement[] = [head];
  if (s.identity.advice) {
    const adv = document.createElement('p');
    adv.textContent = s.identity.advice;
    parts.push(adv);
  }
  id.replaceChildren(...parts);
}

async function send(msg: unknown): Promise<void> {
  pending = true;
  render();
  try {
    const r = await api.runtime.sendMessage(msg) as AuditStateReply | undefined;
    if (r) state = r;
  } catch (e) {
    state = { ...state, error: e instanceof Error ? e.message : String(e) };
  } finally {
    pending = false;
    render();
  }
}

/** Start and Resume ask for the screenshot permission in the click itself (a user gesture);
 * refused, the audit runs without screenshots and says so. */
function withPermission(type: 'audit.start' | 'audit.resume'): void {
  if (framed) return;
  const want = $<HTMLInputElement>('want-screenshots').checked;
  const asked = hasAllUrls || !want ? Promise.resolve(hasAllUrls) : api.permissions.request(ALL_URLS).catch(() => false);
  void asked.then((granted) => {
    hasAllUrls = granted;
    return send({ type, screenshots: granted, ...(type === 'audit.start' && fromReminder ? { scheduled: true } : {}) });
  });
}

async function main(): Promise<void> {
  localize(document);
  $('start').addEventListener('click', () => withPermission('audit.start'));
  $('resume').addEventListener('click', () => withPermission('audit.resume'));
  $('stop').addEventListener('click', () => { void send({ type: 'audit.stop' }); });
  $('want-screenshots').addEventListener('change', render);
  $('open-dashboard').addEventListener('click', () => {
    const out = $('dashboard-result');
    void (api.runtime.sendMessage({ type: 'dashboard', auditId: state.run?.summary?.audit_id ?? state.run?.auditId }) as Promise<DashboardReply | undefined>)
      .then((r) => {
        out.hidden = !!r?.url;
        out.textContent = r?.url ? '' : t('popup_dashboard_failed', [r?.error ?? 'no reply']);
      });
  });
  api.runtime.onMessage.addListener((msg: { type?: string } & AuditStateReply) => {
    if (msg?.type !== 'audit.progress') return;
    state = { run: msg.run, live: msg.live };
    render();
  });
  const refreshPermission = async (): Promise<void> => {
    hasAllUrls = await api.permissions.contains(ALL_URLS).catch(() => false);
    render();
  };
  api.permissions.onAdded.addListener(() => void refreshPermission());
  api.permissions.onRemoved.addListener(() => void refreshPermission());
  // The first draw waits for the run's state: Start stays disabled until then.
  hasAllUrls = await api.permissions.contains(ALL_URLS).catch(() => false);
  const r = await api.runtime.sendMessage({ type: 'audit.state' }) as AuditStateReply | undefined;
  if (r) state = r;
  render();
}

void main();
