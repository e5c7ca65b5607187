// Warning events for the host's append-only log. Queued in storage.local first so an event is
// never lost while the host is missing or restarting; removed only after the host acknowledged it.
// Every read-modify-write of the queue runs on one promise chain: a logEvent during a flush can
// neither overwrite the flush's removal nor be removed in its place.
import { api } from '../shared/browser';
import { HostError, request } from './host';
import { RedactionLog, redactText } from '../shared/redact';
import type { ErrorCode, EventType } from '../shared/spec.gen';

export interface HostEvent {
  /** One of spec/vocabulary.json's event_types. */
  type: EventType;
  rule_id: string;
  url: string;
  at: string;
  detail: Record<string, unknown>;
}

/** A queued event: its id goes to the host, which answers a repeated id with the original row, so a
 * resend after an acknowledgement that got lost (worker restart) is not logged twice. */
interface QueuedEvent extends HostEvent { event_id: string }

const KEY = 'pendingEvents';
const DROPPED_KEY = 'droppedEvents';
const MAX_QUEUED = 1000;

/** What overflowed the queue while the host was unreachable: reported as one `events.dropped`
 * event once the backlog has reached the host, so the log shows the gap instead of hiding it. */
interface Dropped { count: number; first_at: string; last_at: string }
const NO_DROPS: Dropped = { count: 0, first_at: '', last_at: '' };
const REFUSED = new Set<string>(['bad_request', 'bad_json', 'too_large', 'unknown_type'] satisfies ErrorCode[]);

let chain: Promise<unknown> = Promise.resolve();
let flushing: Promise<void> | null = null;

/** Runs fn after every queue mutation started before it; a failure does not break the chain. */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const p = chain.then(fn);
  chain = p.catch(() => undefined);
  return p;
}

/** The stored queue; `named` is true when events queued by an older version got their id here. */
async function readQueue(): Promise<{ queue: QueuedEvent[]; named: boolean }> {
  const stored = ((await api.storage.local.get(KEY))[KEY] as Partial<QueuedEvent>[] | undefined) ?? [];
  let named = false;
  const queue = stored.map((e) => {
    if (e.event_id) return e as QueuedEvent;
    named = true;
    return { ...e, event_id: crypto.randomUUID() } as QueuedEvent;
  });
  return { queue, named };
}

/** The secret rules over every string of an event (URL, rule id, detail), before it is stored
 * anywhere: the queue lives in storage.local, on disk in the browser profile. The host redacts
 * again on arrival. */
export function redactEvent(ev: HostEvent): HostEvent {
  const log = new RedactionLog();
  const opts = { maskEmails: false, maskPhones: false };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, 'event', log, opts);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(ev) as HostEvent;
}

export function logEvent(ev: HostEvent): Promise<void> {
  return serial(async () => {
    const got = await api.storage.local.get(DROPPED_KEY);
    const queue = (await readQueue()).queue.concat({ ...redactEvent(ev), event_id: crypto.randomUUID() });
    const lost = queue.splice(0, Math.max(0, queue.length - MAX_QUEUED));
    const update: Record<string, unknown> = { [KEY]: queue };
    if (lost.length > 0) {
      const d = { ...((got[DROPPED_KEY] as Dropped | undefined) ?? NO_DROPS) };
      for (const e of lost) {
        // A lost drop report still counts what it reported.
        const n = e.type === 'events.dropped' && typeof e.detail.count === 'number' ? e.detail.count : 1;
        const first = e.type === 'events.dropped' && typeof e.detail.first_at === 'string' ? e.detail.first_at : e.at;
        d.count += n;
        if (!d.first_at) d.first_at = first;
        d.last_at = e.at;
      }
      update[DROPPED_KEY] = d;
    }
    await api.storage.local.set(update);
  }).then(flushEvents);
}

/** The oldest queued event; when the queue is empty, the pending drop report becomes one. */
function head(): Promise<QueuedEvent | undefined> {
  return serial(async () => {
    const { queue, named } = await readQueue();
    if (queue.length > 0) {
      // The id is stored before the first send, so a resend carries the same one.
      if (named) await api.storage.local.set({ [KEY]: queue });
      return queue[0];
    }
    const dropped = (await api.storage.local.get(DROPPED_KEY))[DROPPED_KEY] as Dropped | undefined;
    if (!dropped?.count) return undefined;
    const report: QueuedEvent = { type: 'events.dropped' satisfies EventType, rule_id: '', url: '', at: new Date().toISOString(), detail: { ...dropped }, event_id: crypto.randomUUID() };
    await api.storage.local.set({ [KEY]: [report], [DROPPED_KEY]: NO_DROPS });
    return report;
  });
}

function remove(id: string): Promise<void> {
  return serial(async () => {
    const { queue } = await readQueue();
    await api.storage.local.set({ [KEY]: queue.filter((e) => e.event_id !== id) });
  });
}

/** Sends queued events in order; stops at the first transport failure and keeps the rest for later. */
export function flushEvents(): Promise<void> {
  flushing ??= (async () => {
    for (;;) {
      const ev = await head();
      if (!ev) return;
      try {
        await request('event.log', { ...ev });
      } catch (e) {
        // A missing or restarting host, or a store error: keep the event for later. A host that
        // refuses this event as malformed will refuse it every time: drop it, or it would block
        // every event behind it.
        if (!(e instanceof HostError) || !REFUSED.has(e.code)) return;
        console.warn('ringfence: the host refused an event', e.code, e.message, ev);
      }
      await remove(ev.event_id);
    }
  })().finally(() => { flushing = null; });
  return flushing;
}

export function queuedEventCount(): Promise<number> {
  return serial(async () => (await readQueue()).queue.length);
}
