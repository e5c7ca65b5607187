// The one long-lived native port to the host (docs/protocol.md). Requests are matched to replies by
// envelope id; progress frames go to the caller's onProgress; the port is (re)opened on demand.
import { api } from '../shared/browser';
import type { HostState, HostStatus } from '../shared/messages';
import type { HostRequests, HostRequestType, Progress } from '../shared/spec.gen';

export const HOST_NAME = 'io.ringfence.host';

export class HostError extends Error {
  constructor(public code: string, message: string) { super(message); this.name = 'HostError'; }
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (p: Progress) => void;
}

interface Reply {
  id?: string;
  ok?: boolean;
  body?: Record<string, unknown>;
  error?: { code: string; message: string };
  progress?: Progress;
}

let port: chrome.runtime.Port | null = null;
let seq = 0;
const pending = new Map<string, Pending>();
let status: HostStatus = { state: 'unknown', detail: '' };
const listeners = new Set<() => void>();

/** Current host status: connected, not installed (with the fix), or error. */
export function hostStatus(): HostStatus {
  return { ...status };
}

export function onStatusChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setStatus(s: typeof status): void {
  status = s;
  for (const fn of listeners) fn();
}

// Chromium says "Specified native messaging host not found.", Firefox "No such native application".
function classify(message: string): HostState {
  return /not found|no such native application|not registered/i.test(message) ? 'not_installed' : 'error';
}

function connect(): chrome.runtime.Port {
  if (port) return port;
  const p = api.runtime.connectNative(HOST_NAME);
  port = p;
  p.onMessage.addListener((msg: Reply) => {
    const waiter = msg.id ? pending.get(msg.id) : undefined;
    if (msg.progress && msg.ok === undefined) { waiter?.onProgress?.(msg.progress); return; }
    if (!waiter || !msg.id) return;
    pending.delete(msg.id);
    if (msg.ok) waiter.resolve(msg.body ?? {});
    else waiter.reject(new HostError(msg.error?.code ?? 'internal', msg.error?.message ?? 'host error'));
  });
  p.onDisconnect.addListener((dp) => {
    // Firefox reports the reason on port.error, Chromium on runtime.lastError.
    const err = (dp as unknown as { error?: { message?: string } }).error?.message
      ?? api.runtime.lastError?.message ?? 'host exited';
    if (port === p) port = null;
    setStatus({ state: classify(err), detail: err });
    for (const [id, w] of pending) { pending.delete(id); w.reject(new HostError('disconnected', err)); }
  });
  return p;
}

/** Sends one request over the shared port and resolves with the reply body, typed by spec/protocol.json:
 * `request('snapshot.list', { limit: 10 })` resolves with a SnapshotListReply, and a misspelt type or
 * body field does not compile. */
export function request<T extends HostRequestType>(type: T, body: HostRequests[T]['request'],
  opts: { onProgress?: (p: HostRequests[T]['progress']) => void } = {}): Promise<HostRequests[T]['reply']> {
  return send(type, body, opts as { onProgress?: (p: Progress) => void }) as Promise<HostRequests[T]['reply']>;
}

/** The untyped transport under request(): one envelope out, its reply body back. */
export function send(type: string, body: unknown = {}, opts: { onProgress?: (p: Progress) => void } = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let p: chrome.runtime.Port;
    try { p = connect(); } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      setStatus({ state: classify(msg), detail: msg });
      reject(new HostError('disconnected', msg));
      return;
    }
    const id = `r${++seq}`;
    pending.set(id, { resolve, reject, onProgress: opts.onProgress });
    try { p.postMessage({ id, type, body }); } catch (e) {
      pending.delete(id);
      reject(new HostError('disconnected', e instanceof Error ? e.message : String(e)));
    }
  });
}

/** Whether the host advertises a capability in hello (asked once per connection when not known yet). */
export async function hostCan(capability: string): Promise<boolean> {
  if (!status.capabilities || status.state !== 'connected') await hello();
  return status.state === 'connected' && (status.capabilities ?? []).includes(capability);
}

/** Connects (if needed) and says hello; the reply sets the status to connected. */
export async function hello(): Promise<HostState> {
  try {
    const body = await request('hello', {
      extension_version: __VERSION__,
      browser: __BROWSER__ === 'firefox' ? 'Firefox' : 'Chromium',
    });
    setStatus({ state: 'connected', detail: '', hostVersion: body.host_version ?? '', store: body.store, capabilities: body.capabilities ?? [] });
  } catch (e) {
    if (status.state === 'unknown' || status.state === 'connected') {
      setStatus({ state: 'error', detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return status.state;
}
