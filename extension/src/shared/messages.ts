// Messages between content script, popup, options and background (runtime.sendMessage).
import type { SnapshotTrigger } from './vocab';

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
  | { type: 'event'; event: string; ruleId: string; url: string; at: string; detail?: Record<string, unknown> }
  | { type: 'warnings'; warnings: WarningRecord[] }
  | { type: 'identity' }
  | { type: 'status'; tabId?: number }
  | { type: 'export'; format?: 'zip' | 'wacz' }
  /** From the banner's "Ringfence settings" link. */
  | { type: 'options' }
  /** From the popup's snapshot list, when the host has a dashboard. */
  | { type: 'dashboard.open'; snapshotId?: string };

/** The host's reply to `export` (docs/protocol.md), or an error. */
export interface ExportReply {
  path?: string;
  snapshots?: number;
  fingerprint?: string;
  error?: string;
}

/** Sent by the background to the popup while an export runs. */
export interface ExportProgress { type: 'export.progress'; done: number; total: number; stage?: string }

export type HostState = 'unknown' | 'connected' | 'not_installed' | 'error';

/** The host's `hello` facts about its store (docs/protocol.md). */
export interface HostStore { path?: string; snapshots?: number; events?: number; blob_bytes?: number; disk_bytes?: number; error?: string }

export interface HostStatus {
  state: HostState;
  detail: string;
  hostVersion?: string;
  store?: HostStore;
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
}
