// The background's native port (host.ts) and event queue (events.ts) against a scripted stand-in
// for chrome.runtime.connectNative. The real host is exercised by the e2e suites; this pins down
// envelope matching, progress, reconnection, status classification and the no-loss event queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';

type Listener = (m: unknown) => void;
interface FakePort {
  onMessage: { addListener(fn: Listener): void };
  onDisconnect: { addListener(fn: (p: unknown) => void): void };
  postMessage(m: { id: string; type: string; body: Record<string, unknown> }): void;
  disconnect(): void;
}

// A scripted host: `behave` decides per request what to send back.
let behave: (req: { id: string; type: string; body: Record<string, unknown> }, reply: Listener, die: (msg: string) => void) => void;
let connects = 0;
let refuse: string | null = null;
const store: Record<string, unknown> = {};
let lastError: { message: string } | undefined;

(globalThis as Record<string, unknown>).chrome = {
  runtime: {
    get lastError() { return lastError; },
    connectNative(name: string): FakePort {
      assert.equal(name, 'io.ringfence.host');
      connects++;
      const onMsg: Listener[] = [];
      const onDisc: ((p: unknown) => void)[] = [];
      let dead = false;
      const die = (msg: string): void => {
        if (dead) return;
        dead = true;
        setTimeout(() => { lastError = { message: msg }; for (const f of onDisc) f(port); lastError = undefined; }, 0);
      };
      const port: FakePort = {
        onMessage: { addListener: (f) => onMsg.push(f) },
        onDisconnect: { addListener: (f) => onDisc.push(f) },
        postMessage(m) {
          if (dead) throw new Error('Attempting to use a disconnected port object');
          if (refuse) { die(refuse); return; }
          setTimeout(() => behave(m, (r) => { if (!dead) for (const f of onMsg) f(r); }, die), 0);
        },
        disconnect() { dead = true; },
      };
      return port;
    },
  },
  storage: {
    local: {
      async get(k: string | string[]) {
        const out: Record<string, unknown> = {};
        for (const key of Array.isArray(k) ? k : [k]) if (key in store) out[key] = structuredClone(store[key]);
        return out;
      },
      async set(o: Record<string, unknown>) { Object.assign(store, structuredClone(o)); },
    },
  },
};
(globalThis as Record<string, unknown>).__VERSION__ = 'test';
(globalThis as Record<string, unknown>).__BROWSER__ = 'chrome';

const host = await import('../src/background/host');
const events = await import('../src/background/events');

test('replies are matched to requests by id, with progress frames in between', async () => {
  behave = (req, reply) => {
    if (req.type === 'slow') {
      reply({ id: req.id, progress: { done: 1, total: 2, stage: 'x' } });
      setTimeout(() => reply({ id: req.id, ok: true, body: { which: 'slow' } }), 20);
    } else {
      reply({ id: req.id, ok: true, body: { which: req.type } });
    }
  };
  const progress: unknown[] = [];
  const [a, b] = await Promise.all([
    host.send('slow', {}, { onProgress: (p) => progress.push(p) }),
    host.send('fast', {}),
  ]);
  assert.deepEqual(a, { which: 'slow' });
  assert.deepEqual(b, { which: 'fast' });
  assert.deepEqual(progress, [{ done: 1, total: 2, stage: 'x' }]);
  assert.equal(connects, 1, 'one port for all requests');
});

test('error replies reject with the stable code', async () => {
  behave = (req, reply) => reply({ id: req.id, ok: false, error: { code: 'bad_request', message: 'no' } });
  await assert.rejects(host.send('x'), (e: Error & { code?: string }) => e.code === 'bad_request');
});

test('hello sets connected; a missing host is "not installed"; the port reopens on demand', async () => {
  behave = (req, reply) => reply({ id: req.id, ok: true, body: { host_version: '0.1.0' } });
  assert.equal(await host.hello(), 'connected');
  assert.equal(host.hostStatus().hostVersion, '0.1.0');
  // The host goes away mid-request: the caller gets an error, the status says why.
  behave = (_req, _reply, die) => die('Native host has exited.');
  await assert.rejects(host.send('x'), (e: Error & { code?: string }) => e.code === 'disconnected');
  assert.equal(host.hostStatus().state, 'error');
  refuse = 'Specified native messaging host not found.';
  await assert.rejects(host.send('x'));
  assert.equal(host.hostStatus().state, 'not_installed');
  refuse = null;
  const before = connects;
  behave = (req, reply) => reply({ id: req.id, ok: true, body: { host_version: '0.1.0' } });
  assert.equal(await host.hello(), 'connected');
  assert.ok(connects > before, 'reconnected');
});

test('events wait in the queue while the host is missing and are sent in order once it is back', async () => {
  const got: string[] = [];
  refuse = 'No such native application io.ringfence.host';
  await events.logEvent({ type: 'warning.shown', rule_id: 'r1', url: 'https://chatgpt.com/', at: '2026-11-30T00:00:00.000Z', detail: {} });
  await events.logEvent({ type: 'warning.dismissed', rule_id: 'r1', url: 'https://chatgpt.com/', at: '2026-11-30T00:00:01.000Z', detail: {} });
  assert.equal(await events.queuedEventCount(), 2);
  refuse = null;
  let n = 0;
  const ids: unknown[] = [];
  behave = (req, reply, die) => {
    assert.equal(req.type, 'event.log');
    ids.push(req.body.event_id);
    // The first attempt dies before acknowledging: the event must stay queued and be resent.
    if (n++ === 0) { die('Native host has exited.'); return; }
    got.push(String(req.body.type));
    reply({ id: req.id, ok: true, body: { seq: n, hash: 'h' } });
  };
  await events.flushEvents();
  assert.equal(await events.queuedEventCount(), 2, 'an unacknowledged event left the queue');
  await events.flushEvents();
  assert.deepEqual(got, ['warning.shown', 'warning.dismissed']);
  assert.equal(await events.queuedEventCount(), 0);
  // The resend carries the id of the first attempt, so a host that did store it can tell.
  assert.equal(ids.length, 3);
  assert.match(String(ids[0]), /^[0-9a-f-]{36}$/);
  assert.equal(ids[1], ids[0]);
  assert.notEqual(ids[2], ids[0]);
});

test('events logged while a flush runs reach the host exactly once and in order', async () => {
  const got: { id: string; i: number }[] = [];
  behave = (req, reply) => {
    got.push({ id: String(req.body.event_id), i: (req.body.detail as { i: number }).i });
    // The acknowledgement takes a few ticks, so new events are logged while each one is in flight.
    setTimeout(() => reply({ id: req.id, ok: true, body: { seq: got.length, hash: 'h' } }), 1 + (got.length % 3));
  };
  const logged: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    logged.push(events.logEvent({ type: 'warning.shown', rule_id: 'r', url: 'u', at: 'a', detail: { i } }));
    if (i % 4 === 0) void events.flushEvents();
    if (i % 3 === 0) await new Promise((r) => setTimeout(r, i % 2));
  }
  await Promise.all(logged);
  await events.flushEvents();
  assert.deepEqual(got.map((g) => g.i), Array.from({ length: 60 }, (_, i) => i), 'each event once, in order');
  assert.equal(new Set(got.map((g) => g.id)).size, 60, 'one id per event');
  assert.equal(await events.queuedEventCount(), 0);
});

test('an event the host refuses does not block the ones behind it', async () => {
  const got: string[] = [];
  const refused: string[] = [];
  behave = (req, reply) => {
    if (req.body.type === 'BAD TYPE') { refused.push('BAD TYPE'); reply({ id: req.id, ok: false, error: { code: 'bad_request', message: 'type' } }); return; }
    got.push(String(req.body.type));
    reply({ id: req.id, ok: true, body: { seq: 1, hash: 'h' } });
  };
  const warn = console.warn;
  console.warn = () => {};
  try {
    // Not a type of spec/vocabulary.json: what an older version could have queued.
    await events.logEvent({ type: 'BAD TYPE' as never, rule_id: 'r', url: 'u', at: 'a', detail: {} });
    await events.logEvent({ type: 'warning.shown', rule_id: 'r', url: 'u', at: 'a', detail: {} });
  } finally { console.warn = warn; }
  assert.deepEqual(refused, ['BAD TYPE']);
  assert.deepEqual(got, ['warning.shown']);
  assert.equal(await events.queuedEventCount(), 0);
});

test('events beyond the queue limit are not lost silently: one events.dropped event reports them', async () => {
  refuse = 'No such native application io.ringfence.host';
  for (let i = 0; i < 1003; i++) {
    await events.logEvent({ type: 'warning.shown', rule_id: 'r', url: 'u', at: `2026-11-30T00:00:${String(i % 60).padStart(2, '0')}.000Z`, detail: { i } });
  }
  assert.equal(await events.queuedEventCount(), 1000);
  refuse = null;
  const got: { type: string; detail: Record<string, unknown> }[] = [];
  behave = (req, reply) => {
    got.push({ type: String(req.body.type), detail: req.body.detail as Record<string, unknown> });
    reply({ id: req.id, ok: true, body: { seq: got.length, hash: 'h' } });
  };
  await events.flushEvents();
  assert.equal(got.length, 1001);
  assert.deepEqual(got[0].detail, { i: 3 }, 'the oldest three were dropped');
  const last = got[got.length - 1];
  assert.equal(last.type, 'events.dropped');
  assert.equal(last.detail.count, 3);
  assert.equal(last.detail.first_at, '2026-11-30T00:00:00.000Z');
  assert.equal(last.detail.last_at, '2026-11-30T00:00:02.000Z');
  await events.flushEvents();
  assert.equal(got.length, 1001, 'reported once');
});

test('queued events are redacted before they reach storage.local', async () => {
  refuse = 'No such native application io.ringfence.host';
  const key = 'sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890';
  await events.logEvent({ type: 'warning.shown', rule_id: 'r1', at: '2026-11-30T00:00:02.000Z',
    url: 'https://auth.openai.com/cb?client_secret=hunter2&code=Qz81abcdEF#access_token=t0k', detail: { pasted: key, list: [`Bearer ${'x'.repeat(20)}`] } });
  const disk = JSON.stringify(store);
  for (const s of ['hunter2', 'Qz81abcdEF', 't0k', 'Ab3dEf9hIj2kLmN0pQrStUvWxYz', 'x'.repeat(20)]) {
    assert.ok(!disk.includes(s), `${s} stored in storage.local: ${disk}`);
  }
  refuse = null;
  behave = (req, reply) => reply({ id: req.id, ok: true, body: { seq: 1, hash: 'h' } });
  await events.flushEvents();
});
