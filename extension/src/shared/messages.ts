// Messages between content script, popup, options and background (runtime.sendMessage).
import type { SnapshotTrigger } from './vocab';
import type { EventType, ExportReply as HostExportReply, Progress, StoreStatus } from './spec.gen';

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
  | { type: 'dashboard'; snapshotId?: string }
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
}
