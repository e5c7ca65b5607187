// Messages between content script, popup, options and background (runtime.sendMessage).
import type { SnapshotTrigger } from './vocab';
import type { AuditStepResult, AuditSummary, EventType, ExportReply as HostExportReply, Progress, StoreStatus } from './spec.gen';
import type { PlannedStep } from './audit-steps';

export interface WarningRecord {
  ruleId: string;
  /** Message key of the rule: the popup shows `<message>_title`. */
  message: string;
  severity: string;
  level: 'control' | 'dialog' | 'page';
  url: string;
  at: string;
}

export type Message =
  | { type: 'snapshot'; trigger: SnapshotTrigger; tabId?: number; reason?: string; category?: string }
  | { type: 'snapshots' }
  | { type: 'snapshot.state' }
  | { type: 'event'; event: EventType; ruleId: string; url: string; at: string; detail?: Record<string, unknown> }
  | { type: 'warnings'; warnings: WarningRecord[] }
  | { type: 'identity' }
  | { type: 'status'; tabId?: number }
  | { type: 'export'; format?: 'zip' | 'wacz' }
  | { type: 'dashboard'; snapshotId?: string; auditId?: string }
  /** The audit page and the popup (docs/audit.md): the run's state, start, stop, resume, the reminder. */
  | { type: 'audit.state' }
  /** scheduled: the page was opened from the reminder's notification. */
  | { type: 'audit.start'; screenshots: boolean; scheduled?: boolean }
  | { type: 'audit.stop' }
  | { type: 'audit.resume'; screenshots: boolean }
  | { type: 'audit.reminder' }
  /** From the banner's "Ringfence settings" link. */
  | { type: 'options' };

/** The reply to `dashboard`: the tab opened on the host's dashboard (docs/dashboard.md), or an error. */
export interface DashboardReply { url?: string; error?: string }

/** The host's reply to `export` (spec/protocol.json), or an error. */
export type ExportReply = Partial<HostExportReply> & { error?: string };

/** Sent by the background to the popup while an export runs. */
export type ExportProgress = { type: 'export.progress' } & Progress;

export type HostState = 'unknown' | 'connected' | 'not_installed' | 'error';


export interface HostStatus {
  state: HostState;
  detail: string;
  hostVersion?: string;
  store?: StoreStatus;
  /** hello's capabilities ("amend": a snapshot's slow artifacts can follow as a second commit). */
  capabilities?: string[];
}

export interface StatusReply {
  host: HostStatus;
  warnings: WarningRecord[];
  /** Warning events not yet acknowledged by the host (kept in storage.local until it is there). */
  queuedEvents: number;
}

/** Why a snapshot or export requested from a page or the popup failed. */
export type FailureCode = 'host_missing' | 'host_error' | 'failed';

/** Where the running capture is: broadcast by the background as `snapshot.progress`, and the reply
 * to `snapshot.state`. */
export interface SnapshotProgress {
  tabId: number;
  stage: 'capturing' | 'screenshots' | 'uploading' | 'done' | 'failed';
  sent: number;
  total: number;
  startedAt: number;
  snapshotId?: string;
  error?: string;
  /** At `done`: the full-page screenshots / MHTML are still being added as a second commit. */
  following?: boolean;
}

/** When the next audit is due (the reply to `audit.reminder`). */
export interface AuditReminder {
  intervalDays: number;
  due: boolean;
  dueAt: number | null;
  lastAudit: number | null;
  lastAuditId: string | null;
  notify: boolean;
}

/** Where an audit run is, kept in storage.local ("auditRun") so it survives the background. */
export interface AuditRun {
  auditId: string;
  previousId: string | null;
  startedAt: string;
  scheduled: boolean;
  /** The pages in order; per-project pages are added after the projects page. */
  plan: PlannedStep[];
  /** The next page to open. */
  index: number;
  results: AuditStepResult[];
  /** running: a page is being opened; stopping: Stop was pressed, ends after this page; paused:
   * stopped or interrupted, Resume continues; finishing: every page done, the host summarises;
   * abandoned: the host closed it (a newer audit began elsewhere): only a new audit can follow. */
  status: 'running' | 'stopping' | 'paused' | 'finishing' | 'completed' | 'abandoned';
  /** Whether screenshots are taken (the optional <all_urls> permission). */
  screenshots: boolean;
  /** The audit page's tab, shown again at the end. */
  pageTabId?: number;
  /** The one tab the pages open in. */
  runTabId?: number;
  summary?: AuditSummary;
  error?: string;
}

/** The reply to `audit.state`, and the body of the `audit.progress` broadcast. */
export interface AuditStateReply {
  run: AuditRun | null;
  /** A run loop is alive in the background now (false after the browser restarted it: Resume). */
  live: boolean;
  error?: string;
}
