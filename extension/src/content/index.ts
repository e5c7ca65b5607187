// Content script for the OpenAI hosts. Route gate first: outside matched routes nothing is observed
// or scanned. On a matched route: one MutationObserver whose callback only schedules, one batched
// detection pass per animation frame (at most every PASS_INTERVAL_MS), re-run on SPA navigation.
import { api } from '../shared/browser';
import type { Message, WarningRecord } from '../shared/messages';
import { loadSettings, SETTINGS_KEY, updateSettings, type Settings } from '../shared/settings';
import { t } from '../shared/i18n';
import { RULES } from '../shared/rules/index';
import type { EventType } from '../shared/spec.gen';
import { compileRules, findControl, rulesForLocation, scan, type CompiledRule, type Match, type RuleSet } from './rules/match';
import { Banner, type BannerModel } from './banner';
import { EscalationLimit } from './escalation';
import { DialogTracker, MAX_RECORDS } from './dialogs';
import { personalLine, type IdentitySummary } from './personal';

const PASS_INTERVAL_MS = 250;
const SEVERITY_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, notice: 1 };

let settings: Settings;
let ruleSet: RuleSet;
let active: CompiledRule[] = [];
let lastHref = '';
let observer: MutationObserver | null = null;
let scheduled = false;
let lastPass = 0;
let matches: Match[] = [];
const shown = new Map<string, string>(); // rule id -> level already reported for this URL
// Rule ids dismissed during this visit (this document, across its SPA routes) until they escalate.
const dismissed = new Set<string>();
// Not cleared on SPA navigation: a hash change must not make an escalation new again.
const escalations = new EscalationLimit();
let identity: IdentitySummary | null | undefined;
let banner: Banner;
let tracker: DialogTracker;
// The observer's records since the last pass (null: more than MAX_RECORDS, treated as "anything
// may have changed"). The callback only keeps them; the pass reads them.
let pending: MutationRecord[] | null = [];

function send(msg: Message): Promise<unknown> {
  return api.runtime.sendMessage(msg).catch(() => undefined);
}

function logEvent(event: EventType, ruleId: string, detail: Record<string, unknown> = {}): void {
  void send({ type: 'event', event, ruleId, url: location.href, at: new Date().toISOString(), detail });
}

function routeCheck(): void {
  lastHref = location.href;
  shown.clear();
  active = settings.guardMode === 'off' ? [] : rulesForLocation(ruleSet, location);
  if (!active.length) {
    observer?.disconnect();
    observer = null;
    if (matches.length) { matches = []; report(); }
    banner.render(null);
    return;
  }
  if (!observer) {
    tracker.reset();
    pending = [];
    observer = new MutationObserver(onMutations);
    observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['open', 'role', 'aria-label', 'hidden'] });
  }
  schedule();
}

function onMutations(records: MutationRecord[]): void {
  if (pending && pending.length + records.length <= MAX_RECORDS) for (const r of records) pending.push(r);
  else pending = null;
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = Math.max(0, lastPass + PASS_INTERVAL_MS - performance.now());
  // rAF keeps the pass off the critical path of the page's own frame; the timeout covers
  // background tabs, where animation frames do not run.
  setTimeout(() => {
    let done = false;
    const run = (): void => { if (!done) { done = true; pass(); } };
    requestAnimationFrame(run);
    setTimeout(run, 500);
  }, wait);
}

function pass(): void {
  scheduled = false;
  lastPass = performance.now();
  if (location.href !== lastHref) { routeCheck(); return; }
  if (!active.length) return;
  let records = pending;
  pending = [];
  const late = observer?.takeRecords() ?? [];
  if (records && late.length) records = records.length + late.length <= MAX_RECORDS ? records.concat(late) : null;
  const dialogs = tracker.update(records);
  matches = scan(document, ruleSet, active, dialogs);
  banner.domChanged(records, dialogs);
  update();
}

const SNOOZE_DAYS = 30;

/** Snoozed ("Don't warn me about this for 30 days"): not shown, unless its confirmation step is open. */
function snoozed(m: Match): boolean {
  const until = settings.snoozed[m.rule.id];
  return m.level !== 'dialog' && until !== undefined && Date.parse(until) > Date.now();
}

function bestMatch(): Match | null {
  let best: Match | null = null;
  for (const m of matches) {
    if (dismissed.has(m.rule.id) || snoozed(m)) continue;
    const score = (m.level === 'dialog' ? 10 : 0) + (SEVERITY_RANK[m.rule.severity] ?? 0);
    const bestScore = best ? (best.level === 'dialog' ? 10 : 0) + (SEVERITY_RANK[best.rule.severity] ?? 0) : -1;
    if (score > bestScore) best = m;
  }
  return best;
}

function model(m: Match): BannerModel {
  return {
    ruleId: m.rule.id, severity: m.rule.severity, message: m.rule.message, losses: m.rule.losses,
    actions: m.rule.actions?.length ? m.rule.actions : ['snapshot'],
    level: m.level, confirm: m.confirm, personal: identity ? personalLine(identity, m.rule.losses, t, api.i18n.getUILanguage()) : '',
    dialog: m.dialog, controls: m.controls.slice(0, 8),
  };
}

function update(): void {
  for (const m of matches) {
    // A snoozed warning is neither shown nor logged; its escalation still is.
    if (snoozed(m)) continue;
    const prev = shown.get(m.rule.id);
    if (!prev) {
      shown.set(m.rule.id, m.level);
      if (m.level === 'dialog') escalate(m);
      else {
        logEvent('warning.shown', m.rule.id, { level: m.level, severity: m.rule.severity, confirm: m.confirm });
        if (m.rule.autoCapture) autoCapture(m);
      }
    } else if (m.level === 'dialog' && prev !== 'dialog') {
      shown.set(m.rule.id, 'dialog');
      dismissed.delete(m.rule.id);
      escalate(m);
    } else if (m.level !== 'dialog' && prev === 'dialog') {
      shown.set(m.rule.id, m.level);
    }
  }
  const best = bestMatch();
  if (best && identity === undefined) void loadIdentity();
  banner.render(best ? model(best) : null);
  report();
}

/** Logs the escalation and captures, unless this rule already escalated recently (EscalationLimit). */
function escalate(m: Match): void {
  if (!escalations.take(m.rule.id)) return;
  logEvent('warning.escalated', m.rule.id, { level: m.level, severity: m.rule.severity, confirm: m.confirm });
  autoCapture(m);
}

let reported = '';
function report(): void {
  const records: WarningRecord[] = matches.map((m) => ({
    ruleId: m.rule.id, message: m.rule.message, severity: m.rule.severity, level: m.level, url: location.href, at: new Date().toISOString(),
  }));
  const key = records.map((r) => `${r.ruleId}:${r.level}`).join();
  if (key === reported) return;
  reported = key;
  void send({ type: 'warnings', warnings: records });
}

function autoCapture(m: Match): void {
  if (!settings.captureAuto) return;
  void send({ type: 'snapshot', trigger: 'auto', reason: m.rule.id } as Message);
}

async function loadIdentity(): Promise<void> {
  identity = null;
  const reply = await send({ type: 'identity' });
  if (reply && typeof reply === 'object' && !('error' in reply)) {
    identity = reply as IdentitySummary;
    const best = bestMatch();
    if (best) banner.render(model(best));
  }
}

// The click guard. Only trusted clicks count: a page script can neither open nor pass the guard.
function onClick(e: MouseEvent): void {
  if (!e.isTrusted || !active.length || settings.guardMode === 'off') return;
  const target = e.composedPath()[0];
  if (!(target instanceof Element)) return;
  const hit = findControl(ruleSet, active, target);
  if (!hit) return;
  const rule = hit.rules[0].rule;
  if (settings.guardMode === 'warn') {
    escalations.reset(rule.id);
    logEvent('warning.proceeded', rule.id, { mode: 'warn' });
    return;
  }
  e.preventDefault();
  e.stopImmediatePropagation();
  const m = matches.find((x) => x.rule.id === rule.id) ?? { rule, level: 'control' as const, controls: [hit.el], dialog: null, confirm: [] };
  void banner.guard(model(m), hit.el).then((proceed) => {
    if (!proceed) { logEvent('guard.cancelled', rule.id, { mode: 'confirm' }); return; }
    escalations.reset(rule.id);
    logEvent('warning.proceeded', rule.id, { mode: 'confirm' });
    // Replays the user's click on the control. The replay is not a trusted event, so the guard
    // (which only holds trusted clicks) lets it through.
    (hit.el as HTMLElement).click();
  });
}

async function main(): Promise<void> {
  settings = await loadSettings();
  ruleSet = compileRules(RULES, { languages: settings.languages, groups: settings.groups });
  tracker = new DialogTracker(document);
  banner = new Banner(document, t, {
    onSnapshot: (ruleId) => {
      logEvent('snapshot.requested', ruleId, { trigger: 'banner' });
      banner.note(t('snap_capturing'));
      void send({ type: 'snapshot', trigger: 'banner' }).then((reply) => {
        // Every outcome is said in the banner: stored (and what was left out), or why not.
        const r = reply as { snapshotId?: string; hint?: string; error?: string; code?: string } | undefined;
        if (r?.snapshotId) banner.note(r.hint ?? t('banner_snapshot_stored'));
        else if (r?.code === 'host_missing' || r?.code === 'host_error' || !r) banner.note(t('banner_snapshot_no_host'));
        else banner.note(t('banner_snapshot_failed', [r.error ?? '']));
      });
    },
    onSnooze: (ruleId) => {
      const until = new Date(Date.now() + SNOOZE_DAYS * 86_400_000).toISOString();
      settings = { ...settings, snoozed: { ...settings.snoozed, [ruleId]: until } };
      void loadSettings().then((cur) => updateSettings({ snoozed: { ...cur.snoozed, [ruleId]: until } }));
      escalations.reset(ruleId);
      logEvent('warning.snoozed', ruleId, { until, days: SNOOZE_DAYS });
      const best = bestMatch();
      banner.render(best ? model(best) : null);
      report();
    },
    onOptions: () => { void send({ type: 'options' }); },
    onDismiss: (ruleId) => {
      dismissed.add(ruleId);
      escalations.reset(ruleId);
      logEvent('warning.dismissed', ruleId, {});
      const best = bestMatch();
      banner.render(best ? model(best) : null);
    },
  }, api.i18n.getUILanguage());
  window.addEventListener('click', onClick, true);
  window.addEventListener('hashchange', routeCheck);
  window.addEventListener('popstate', routeCheck);
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  if (nav) {
    nav.addEventListener('currententrychange', () => { if (location.href !== lastHref) routeCheck(); });
  } else {
    // Without the Navigation API, pushState is invisible to the isolated world: compare the URL
    // once a second (a string comparison, no DOM access).
    setInterval(() => { if (location.href !== lastHref) routeCheck(); }, 1000);
  }
  api.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || !changes[SETTINGS_KEY]) return;
    void loadSettings().then((s) => {
      const prev = settings;
      settings = s;
      // Snoozes (set here or undone in the options) change what is shown, not what is matched.
      if (s.guardMode === prev.guardMode && s.languages.join() === prev.languages.join()
        && JSON.stringify(s.groups) === JSON.stringify(prev.groups)) { update(); return; }
      ruleSet = compileRules(RULES, { languages: s.languages, groups: s.groups });
      routeCheck();
    });
  });
  routeCheck();
}

void main();
