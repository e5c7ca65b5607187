// The guided audit's runner (docs/audit.md): opens the pages of spec/audit.json one after another
// in ONE tab, waits for each to settle, reports a sign-in page as skipped (never captured),
// snapshots the others with trigger `audit`, and reports every page to the host (audit.step).
// The run lives in storage.local, so Stop/Resume, and a background restarted by the browser,
// continue the same audit.
import { api } from '../shared/browser';
import { AUDIT, type AuditStepResult } from '../shared/spec.gen';
import { initialPlan, isSignInUrl, projectIds, withProjects, type PlannedStep } from '../shared/audit-steps';
import type { AuditRun, AuditStateReply } from '../shared/messages';
import { HostError, request } from './host';
import { captureSettled, captureSnapshot, RefusedError } from './snapshot';
import { auditCompleted, refreshReminder, setRunnerBadge } from './audit-reminder';
import { probePage, type Probe } from './audit-probe';

const RUN_KEY = 'auditRun';
let live: Promise<void> | null = null;
/** The run the live loop works on (Stop changes it in place). */
let current: AuditRun | null = null;
let stopAsked = false;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function load(): Promise<AuditRun | null> {
  return ((await api.storage.local.get(RUN_KEY))[RUN_KEY] as AuditRun | undefined) ?? null;
}

async function save(run: AuditRun): Promise<void> {
  await api.storage.local.set({ [RUN_KEY]: run });
  void api.runtime.sendMessage({ type: 'audit.progress', run, live: live !== null } as AuditStateReply & { type: string }).catch(() => undefined);
  await badge(run);
}

async function badge(run: AuditRun): Promise<void> {
  const active = run.status === 'running' || run.status === 'stopping' || run.status === 'finishing';
  setRunnerBadge(active);
  if (!active) { await refreshReminder(); return; }
  const text = `${Math.min(run.index + 1, run.plan.length)}/${run.plan.length}`;
  await api.action.setBadgeText({ text: text.length <= 5 ? text : String(run.index + 1) });
  await api.action.setBadgeBackgroundColor({ color: '#1d4ed8' });
}

export async function auditState(): Promise<AuditStateReply> {
  return { run: await load(), live: live !== null };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Begins a new audit at the host, then runs it. */
export async function startAudit(screenshots: boolean, pageTabId: number | undefined, scheduled = false): Promise<AuditStateReply> {
  if (live) return { ...(await auditState()), error: 'an audit is already running' };
  let begun;
  try {
    begun = await request('audit.begin', { audit_page: api.runtime.getURL('audit.html'), scheduled });
  } catch (e) {
    return { run: await load(), live: false, error: message(e) };
  }
  const run: AuditRun = {
    auditId: begun.audit_id, previousId: begun.previous_id, startedAt: begun.started_at, scheduled,
    plan: initialPlan(), index: 0, results: [], status: 'running', screenshots, pageTabId,
  };
  launch(run);
  await save(run);
  return auditState();
}

export async function resumeAudit(screenshots: boolean, pageTabId: number | undefined): Promise<AuditStateReply> {
  if (live) return auditState();
  const run = await load();
  if (!run || run.status === 'completed' || run.status === 'abandoned') return { run, live: false, error: 'no audit to resume' };
  Object.assign(run, { status: run.status === 'finishing' ? 'finishing' : 'running', screenshots, error: undefined },
    pageTabId !== undefined ? { pageTabId } : {});
  launch(run);
  await save(run);
  return auditState();
}

export async function stopAudit(): Promise<AuditStateReply> {
  if (live && current?.status === 'running') {
    stopAsked = true;
    current.status = 'stopping';
    await save(current);
  }
  return auditState();
}

function launch(run: AuditRun): void {
  stopAsked = false;
  current = run;
  live = loop(run).catch((e: unknown) => {
    // The host no longer takes this audit (a newer one began, or the store lost it): it cannot
    // be resumed. Anything else (the host unreachable) can.
    const closed = e instanceof HostError && (e.code === 'audit_closed' || e.code === 'unknown_audit');
    run.status = closed ? 'abandoned' : 'paused';
    run.error = message(e);
  }).finally(async () => {
    live = null;
    current = null;
    await save(run);
  });
}

async function runTab(run: AuditRun): Promise<number> {
  if (run.runTabId !== undefined) {
    const t = await api.tabs.get(run.runTabId).catch(() => undefined);
    if (t?.id !== undefined) {
      // A screenshot is of the visible tab: brought back if the user looked elsewhere meanwhile.
      if (run.screenshots && !t.active) await api.tabs.update(t.id, { active: true });
      return t.id;
    }
  }
  const page = run.pageTabId !== undefined ? await api.tabs.get(run.pageTabId).catch(() => undefined) : undefined;
  // Active: a screenshot is of the visible tab.
  const t = await api.tabs.create({ url: 'about:blank', active: true, ...(page ? { windowId: page.windowId, index: page.index + 1 } : {}) });
  run.runTabId = t.id!;
  return t.id!;
}

async function loop(run: AuditRun): Promise<void> {
  if (run.status === 'running') {
    while (run.index < run.plan.length) {
      if (stopAsked) { run.status = 'paused'; return; }
      const tabId = await runTab(run);
      await save(run);
      const step = run.plan[run.index];
      const { result, projects } = await runStep(step, tabId);
      if (step.discoversProjects && projects.length) run.plan = withProjects(run.plan, projects);
      run.results = run.results.filter((r) => !(r.step_id === result.step_id && (r.project ?? '') === (result.project ?? ''))).concat(result);
      await request('audit.step', { audit_id: run.auditId, step: result });
      run.index++;
    }
    run.status = 'finishing';
    await save(run);
  }
  const fin = await request('audit.finish', { audit_id: run.auditId });
  run.summary = fin.audit;
  run.status = 'completed';
  await auditCompleted(run.auditId);
  // The pages are done: close the audit's tab and show the summary on the audit page.
  if (run.runTabId !== undefined) await api.tabs.remove(run.runTabId).catch(() => undefined);
  if (run.pageTabId !== undefined) await api.tabs.update(run.pageTabId, { active: true }).catch(() => undefined);
}

const SIGN_IN = 'the page asked to sign in';

/** Navigates and waits until the tab finished loading a new document (a navigation that only
 * changes the fragment goes through about:blank, so the page loads as a user opening it sees it). */
async function navigate(tabId: number, url: string, deadline: number): Promise<void> {
  const cur = await api.tabs.get(tabId);
  const bare = (u: string): string => u.replace(/#.*$/, '');
  if (cur.url && cur.url !== 'about:blank' && bare(cur.url) === bare(url)) await go(tabId, 'about:blank', deadline);
  await go(tabId, url, deadline);
}

async function go(tabId: number, url: string, deadline: number): Promise<void> {
  // Events as well as polling: a fast load (or a redirect back to the same sign-in page as the
  // previous step) can begin and end between two polls.
  let started = false;
  let done = false;
  const blank = url === 'about:blank';
  const onUpdated = (id: number, info: { status?: string; url?: string }, tab: chrome.tabs.Tab): void => {
    if (id !== tabId) return;
    // Loading, not a URL change: Firefox shows the new URL while the old document is still there.
    if (info.status === 'loading') started = true;
    if (started && info.status === 'complete' && (blank || tab.url !== 'about:blank')) done = true;
  };
  api.tabs.onUpdated.addListener(onUpdated);
  try {
    await api.tabs.update(tabId, { url });
    while (!done && Date.now() < deadline) {
      await sleep(100);
      const t = await api.tabs.get(tabId);
      if (started && t.status === 'complete' && (blank || t.url !== 'about:blank')) done = true;
    }
  } finally {
    api.tabs.onUpdated.removeListener(onUpdated);
  }
}

/** After a script redirect began: waits for the tab to finish the new document. */
async function loaded(tabId: number, from: string, deadline: number): Promise<void> {
  let started = false;
  while (Date.now() < deadline) {
    const t = await api.tabs.get(tabId);
    if (t.status === 'loading' || (t.url ?? '') !== from) started = true;
    if (started && t.status === 'complete') return;
    await sleep(100);
  }
}

async function probe(tabId: number, step: PlannedStep, deadline: number): Promise<Probe> {
  const [res] = await api.scripting.executeScript({ target: { tabId }, func: probePage,
    args: [step.ready, AUDIT.settleMs, Math.max(500, deadline - Date.now())] });
  if (!res?.result) throw new Error('the page did not answer');
  return res.result as Probe;
}

/** One page: never throws; a sign-in page is skipped and not captured. */
async function runStep(step: PlannedStep, tabId: number): Promise<{ result: AuditStepResult; projects: string[] }> {
  const deadline = Date.now() + AUDIT.timeoutMs;
  const result: AuditStepResult = { step_id: step.stepId, title: step.title, url: step.url, status: 'failed', at: '',
    ...(step.project ? { project: step.project } : {}) };
  const done = (r: Partial<AuditStepResult>, projects: string[] = []) => ({ result: { ...result, ...r, at: new Date().toISOString() }, projects });
  try {
    await navigate(tabId, step.url, deadline);
    let p: Probe | undefined;
    let tab = await api.tabs.get(tabId);
    // A script redirect after load (a single-page app sending to its login) moves the tab again:
    // wait for that document too, within the step's time.
    for (;;) {
      if (isSignInUrl(tab.url ?? '')) break;
      // The document can still be changing hands (the injection then finds no permitted page):
      // once more after a short wait, within the step's time.
      p = await probe(tabId, step, deadline).catch(async (e: unknown) => {
        if (Date.now() + 1000 >= deadline) throw e;
        await sleep(500);
        return probe(tabId, step, deadline);
      });
      tab = await api.tabs.get(tabId);
      if ((tab.status === 'complete' && tab.url === p.url) || Date.now() >= deadline) break;
      await loaded(tabId, p.url, deadline);
      tab = await api.tabs.get(tabId);
    }
    const finalUrl = tab.url ?? p?.url ?? '';
    if (isSignInUrl(finalUrl)) return done({ status: 'skipped', final_url: finalUrl, reason: SIGN_IN });
    if (p?.login) return done({ status: 'skipped', final_url: finalUrl, reason: 'the page shows a login form' });
    const projects = step.discoversProjects && p ? projectIds(p.hrefs, AUDIT.maxProjects) : [];
    // Checked again on the page the capture collects: a redirect in between stores nothing.
    const shot = await captureSnapshot({ tabId, windowId: tab.windowId, url: step.url, trigger: 'audit',
      refuse: (u) => (isSignInUrl(u) ? SIGN_IN : null) });
    // The full-page tiles and MHTML follow as a second commit: the tab stays on this page until then.
    await captureSettled(tabId);
    const notes = [p && !p.ready ? `the page showed no ${step.ready} within ${AUDIT.timeoutMs / 1000} s` : '',
      p && !p.quiet ? 'the page kept changing; captured at the time limit' : ''].filter(Boolean).join('; ');
    return done({ status: 'captured', final_url: finalUrl, snapshot_id: shot.snapshotId, ...(notes ? { reason: notes } : {}) }, projects);
  } catch (e) {
    if (e instanceof RefusedError) return done({ status: 'skipped', final_url: e.finalUrl, reason: e.message });
    const tab = await api.tabs.get(tabId).catch(() => undefined);
    // Look-alike safety: a page that failed on a sign-in URL is reported as skipped all the same.
    if (tab?.url && isSignInUrl(tab.url)) return done({ status: 'skipped', final_url: tab.url, reason: SIGN_IN });
    return done({ status: 'failed', ...(tab?.url ? { final_url: tab.url } : {}), reason: message(e) });
  }
}
