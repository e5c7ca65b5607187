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
const MAX_QUEUED = 1000;
let flushing: Promise<void> | null = null;
const REFUSED = new Set(['bad_request', 'bad_json', 'too_large', 'unknown_type']);

export async function logEvent(ev: HostEvent): Promise<void> {
  const got = await api.storage.local.get(KEY);
  const queue = ((got[KEY] as HostEvent[] | undefined) ?? []).concat(ev).slice(-MAX_QUEUED);
  await api.storage.local.set({ [KEY]: queue });
  await flushEvents();
}

/** Sends queued events in order; stops at the first transport failure and keeps the rest for later. */
export function flushEvents(): Promise<void> {
  if (!flushing) {
    flushing = (async () => {
      for (;;) {
        const got = await api.storage.local.get(KEY);
        const queue = (got[KEY] as HostEvent[] | undefined) ?? [];
        if (queue.length === 0) return;
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

export async function queuedEventCount(): Promise<number> {
  const got = await api.storage.local.get(KEY);
  return ((got[KEY] as HostEvent[] | undefined) ?? []).length;
}
