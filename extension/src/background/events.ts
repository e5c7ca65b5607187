// Warning events for the host's append-only log. Queued in storage.local first so an event is
// never lost while the host is missing or restarting; removed only after the host acknowledged it.
import { api } from '../lib/browser';
import { HostError, request } from './host';

export interface HostEvent {
  type: string;
  rule_id: string;
  url: string;
  at: string;
  detail: Record<string, unknown>;
}

const KEY = 'pendingEvents';
const DROPPED_KEY = 'droppedEvents';
const MAX_QUEUED = 1000;

/** What overflowed the queue while the host was unreachable: reported as one `events.dropped`
 * event once the backlog has reached the host, so the log shows the gap instead of hiding it. */
interface Dropped { count: number; first_at: string; last_at: string }
let flushing: Promise<void> | null = null;
const REFUSED = new Set(['bad_request', 'bad_json', 'too_large', 'unknown_type']);

export async function logEvent(ev: HostEvent): Promise<void> {
  const got = await api.storage.local.get([KEY, DROPPED_KEY]);
  const queue = ((got[KEY] as HostEvent[] | undefined) ?? []).concat(ev);
  const lost = queue.splice(0, Math.max(0, queue.length - MAX_QUEUED));
  const update: Record<string, unknown> = { [KEY]: queue };
  if (lost.length > 0) {
    const prev = got[DROPPED_KEY] as Dropped | undefined;
    update[DROPPED_KEY] = {
      count: (prev?.count ?? 0) + lost.length,
      first_at: prev?.first_at ?? lost[0].at,
      last_at: lost[lost.length - 1].at,
    } satisfies Dropped;
  }
  await api.storage.local.set(update);
  await flushEvents();
}

/** Sends queued events in order; stops at the first transport failure and keeps the rest for later. */
export function flushEvents(): Promise<void> {
  if (!flushing) {
    flushing = (async () => {
      for (;;) {
        const got = await api.storage.local.get(KEY);
        const queue = (got[KEY] as HostEvent[] | undefined) ?? [];
        if (queue.length === 0) {
          await reportDropped();
          return;
        }
        try {
          await request('event.log', { ...queue[0] });
        } catch (e) {
          // A missing or restarting host, or a store error: keep the event for later. A host that
          // refuses this event as malformed will refuse it every time: drop it, or it would block
          // every event behind it.
          if (!(e instanceof HostError) || !REFUSED.has(e.code)) return;
          console.warn('ringfence: the host refused an event', e.code, e.message, queue[0]);
        }
        const now = ((await api.storage.local.get(KEY))[KEY] as HostEvent[] | undefined) ?? [];
        await api.storage.local.set({ [KEY]: now.slice(1) });
      }
    })().finally(() => { flushing = null; });
  }
  return flushing;
}

/** Logs how many events the full queue had to drop, once the queue is empty; kept until acknowledged. */
async function reportDropped(): Promise<void> {
  const dropped = (await api.storage.local.get(DROPPED_KEY))[DROPPED_KEY] as Dropped | undefined;
  if (!dropped?.count) return;
  try {
    await request('event.log', { type: 'events.dropped', rule_id: '', url: '', at: new Date().toISOString(), detail: { ...dropped } });
  } catch {
    return; // the host went away again: report it on the next flush
  }
  await api.storage.local.set({ [DROPPED_KEY]: { count: 0, first_at: '', last_at: '' } satisfies Dropped });
}

export async function queuedEventCount(): Promise<number> {
  const got = await api.storage.local.get(KEY);
  return ((got[KEY] as HostEvent[] | undefined) ?? []).length;
}
