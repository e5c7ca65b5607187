// Messages between content script, popup, options and background (runtime.sendMessage).
import type { SnapshotTrigger } from '../capture/index';

export interface WarningRecord {
  ruleId: string;
  severity: string;
  level: 'control' | 'dialog' | 'page';
  url: string;
  at: string;
}

export type Message =
  | { type: 'snapshot'; trigger: SnapshotTrigger; tabId?: number; reason?: string }
  | { type: 'event'; event: string; ruleId: string; url: string; at: string; detail?: Record<string, unknown> }
  | { type: 'warnings'; warnings: WarningRecord[] }
  | { type: 'identity' }
  | { type: 'status'; tabId?: number };

export type HostState = 'unknown' | 'connected' | 'not_installed' | 'error';

export interface StatusReply {
  host: { state: HostState; detail: string; hostVersion?: string };
  warnings: WarningRecord[];
}
