// The audit reminder's arithmetic (docs/audit.md "Reminder"), pure so it is tested with a fake
// clock: when the next audit is due, whether it is due now, and when the alarm should ring.
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the background keeps in storage.local about the reminder. */
export interface ReminderState {
  /** The last completed audit (ms since the epoch), or null when there was none. */
  lastAudit: number | null;
  /** When the reminder was first set up: without any audit, the first one is due an interval later. */
  since: number;
}

export interface Schedule {
  /** false when the reminder is off (interval 0). */
  enabled: boolean;
  /** When the next audit is due (ms), or null when off. */
  dueAt: number | null;
  due: boolean;
  /** When to ring the alarm (ms), or null: off, or already due (the badge is shown now). */
  alarmAt: number | null;
}

/** The interval in whole days, 0 = off; anything odd falls back to the default. */
export function normalizeInterval(days: unknown, fallback: number): number {
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) return fallback;
  return Math.min(365, Math.floor(days));
}

export function schedule(state: ReminderState, intervalDays: number, now: number): Schedule {
  if (intervalDays <= 0) return { enabled: false, dueAt: null, due: false, alarmAt: null };
  // An audit "in the future" (a clock set back) counts as now: never a reminder years away.
  const base = Math.min(state.lastAudit ?? state.since, now);
  const dueAt = base + intervalDays * DAY_MS;
  const due = now >= dueAt;
  return { enabled: true, dueAt, due, alarmAt: due ? null : dueAt };
}

/** Whole days until due (0 when due), for the options page. */
export function daysUntil(s: Schedule, now: number): number | null {
  if (s.dueAt === null) return null;
  return Math.max(0, Math.ceil((s.dueAt - now) / DAY_MS));
}
