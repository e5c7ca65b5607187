import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex, toBase64, uploadSnapshot, utf8, type Artifact, type RequestFn } from '../../src/background/upload';
import type { SnapshotMeta } from '../../src/shared/spec.gen';

// The stand-in host below checks bodies at run time, so it takes them untyped.
type Untyped = (type: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;
const typed = (f: Untyped): RequestFn => f as unknown as RequestFn;
const meta: SnapshotMeta = { url: 'https://chatgpt.com/', captured_at: '2026-11-30T10:02:03.456Z', trigger: 'button' };

// An in-memory host that checks what protocol.md says the real one checks (order, size, hash).
// holdBegin: begin's reply waits until a commit has arrived (the upload is opened at once, as the real
// host takes a port's requests in order); refuseBegin: begin fails with that code.
function fakeHost(opts: { chunkSize: number; dropAfterChunks?: number; dropAfterCommit?: boolean; textChunks?: boolean;
  holdBegin?: boolean; refuseBegin?: string }) {
  const calls: string[] = [];
  const encodings: string[] = [];
  const captureIds: unknown[] = [];
  const byCapture = new Map<string, string>();
  let uploads = 0;
  let open: { id: string; captureId?: string; arts: Map<string, { size: number; sha256: string; got: Buffer[] }> } | null = null;
  let chunksSeen = 0;
  let dropped = false;
  const stored: Record<string, Buffer>[] = [];
  let commitArrived = (): void => undefined;
  const committing = new Promise<void>((resolve) => { commitArrived = resolve; });
  const request = async (type: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    calls.push(type);
    if (type === 'snapshot.commit') commitArrived();
    if (type === 'snapshot.begin') {
      captureIds.push((body.meta as Record<string, unknown>).capture_id);
      if (opts.refuseBegin) throw Object.assign(new Error('refused'), { code: opts.refuseBegin });
      const cid = (body.meta as Record<string, unknown>).capture_id;
      const id = typeof body.upload_id === 'string' ? body.upload_id : `u-${++uploads}`;
      open = { id, arts: new Map(), captureId: typeof cid === 'string' ? cid : undefined };
      for (const a of body.artifacts as { name: string; size: number; sha256: string }[]) open.arts.set(a.name, { ...a, got: [] });
      if (opts.holdBegin) await committing;
      return { upload_id: id, chunk_size: opts.chunkSize, ...(opts.textChunks ? { text_chunks: true } : {}) };
    }
    // What crosses the pipe is JSON.
    body = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    if (!open || body.upload_id !== open.id) throw Object.assign(new Error('unknown upload'), { code: 'unknown_upload' });
    if (type === 'snapshot.chunk') {
      chunksSeen++;
      if (!dropped && opts.dropAfterChunks !== undefined && chunksSeen > opts.dropAfterChunks) {
        dropped = true;
        open = null;
        throw Object.assign(new Error('port closed'), { code: 'disconnected' });
      }
      const a = open.arts.get(String(body.artifact))!;
      const have = a.got.reduce((n, b) => n + b.length, 0);
      if (body.offset !== have) throw Object.assign(new Error('order'), { code: 'out_of_order' });
      if (body.text !== undefined) {
        assert.ok(opts.textChunks, 'text chunk sent to a host that did not offer them');
        assert.equal(body.data, undefined, 'a chunk with data and text');
      }
      encodings.push(`${String(body.artifact)}:${body.text !== undefined ? 'text' : 'base64'}`);
      const data = body.text !== undefined ? Buffer.from(String(body.text), 'utf8') : Buffer.from(String(body.data), 'base64');
      assert.ok(data.length <= opts.chunkSize);
      a.got.push(data);
      return { received: have + data.length };
    }
    if (type === 'snapshot.commit') {
      const out: Record<string, Buffer> = {};
      for (const [name, a] of open.arts) {
        const buf = Buffer.concat(a.got);
        if (buf.length !== a.size) throw Object.assign(new Error(name), { code: 'size_mismatch' });
        if (createHash('sha256').update(buf).digest('hex') !== a.sha256) throw Object.assign(new Error(name), { code: 'checksum_mismatch' });
        out[name] = buf;
      }
      // What the real host does with capture_id (docs/protocol.md): a repeat stores nothing.
      const had = open.captureId === undefined ? undefined : byCapture.get(open.captureId);
      if (had) return { snapshot_id: had, artifacts: [], duplicate: true };
      stored.push(out);
      if (open.captureId !== undefined) byCapture.set(open.captureId, `snap-${stored.length}`);
      if (opts.dropAfterCommit && !dropped) {
        dropped = true;
        open = null;
        throw Object.assign(new Error('port closed before the reply'), { code: 'disconnected' });
      }
      return { snapshot_id: `snap-${stored.length}`, artifacts: [] };
    }
    return {};
  };
  return { request, calls, stored, captureIds, encodings };
}

function artifacts(): Artifact[] {
  const big = new Uint8Array(300_001);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  return [
    { name: 'screenshot.png', mime: 'image/png', bytes: big },
    { name: 'dom.html', mime: 'text/html', bytes: utf8('<p>héllo</p>') },
    { name: 'empty.txt', mime: 'text/plain', bytes: new Uint8Array(0) },
  ];
}

test('sha256 and base64 match node', async () => {
  const b = utf8('ringfence ✓');
  assert.equal(await sha256Hex(b), createHash('sha256').update(b).digest('hex'));
  assert.equal(toBase64(b), Buffer.from(b).toString('base64'));
});

test('uploads in chunks of the size the host asks for and reports progress', async () => {
  const host = fakeHost({ chunkSize: 65_536 });
  const seen: number[] = [];
  const res = await uploadSnapshot(typed(host.request), meta, artifacts(), { onProgress: (s) => seen.push(s) });
  assert.equal(res.snapshotId, 'snap-1');
  assert.equal(res.attempts, 1);
  assert.equal(host.calls.filter((c) => c === 'snapshot.chunk').length, Math.ceil(300_001 / 65_536) + 1);
  assert.deepEqual([...host.stored[0]['screenshot.png']], [...artifacts()[0].bytes]);
  assert.equal(seen.at(-1), 300_001 + utf8('<p>héllo</p>').length);
});

test('a dropped port restarts the upload from begin', async () => {
  const host = fakeHost({ chunkSize: 100_000, dropAfterChunks: 2 });
  const res = await uploadSnapshot(typed(host.request), meta, artifacts(), { backoffMs: 1 });
  assert.equal(res.attempts, 2);
  assert.equal(host.calls.filter((c) => c === 'snapshot.begin').length, 2);
  assert.equal(host.stored.length, 1);
});

test('a checksum error is not retried', async () => {
  const host = fakeHost({ chunkSize: 100_000 });
  const arts = artifacts();
  const bad = (type: string, body: Record<string, unknown>) => {
    if (type === 'snapshot.chunk' && body.artifact === 'dom.html') body = { ...body, data: toBase64(utf8('<p>tampered</p>')) };
    return host.request(type, body);
  };
  await assert.rejects(uploadSnapshot(typed(bad), meta, arts, { backoffMs: 1 }), (e: { code?: string }) => e.code === 'size_mismatch' || e.code === 'checksum_mismatch');
  assert.equal(host.calls.filter((c) => c === 'snapshot.begin').length, 1);
  assert.equal(host.calls.at(-1), 'snapshot.abort');
});

test('a retry after the host committed but the reply was lost reuses the capture_id and stores once', async () => {
  const host = fakeHost({ chunkSize: 100_000, dropAfterCommit: true });
  const res = await uploadSnapshot(typed(host.request), meta, artifacts(), { backoffMs: 1 });
  assert.equal(res.attempts, 2);
  assert.equal(host.captureIds.length, 2);
  assert.equal(typeof host.captureIds[0], 'string');
  assert.match(String(host.captureIds[0]), /^[A-Za-z0-9-]{8,64}$/);
  assert.equal(host.captureIds[1], host.captureIds[0]);
  assert.equal(host.stored.length, 1);
  assert.equal(res.snapshotId, 'snap-1');
  assert.equal(res.duplicate, true);
});

test('each capture gets its own capture_id', async () => {
  const host = fakeHost({ chunkSize: 100_000 });
  await uploadSnapshot(typed(host.request), meta, artifacts());
  await uploadSnapshot(typed(host.request), meta, artifacts());
  assert.equal(host.captureIds.length, 2);
  assert.notEqual(host.captureIds[0], host.captureIds[1]);
  assert.equal(host.stored.length, 2);
});

test('a second commit names the snapshot it amends on every attempt, with the same capture_id', async () => {
  const begins: Record<string, unknown>[] = [];
  let drops = 1;
  const request = async (type: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (type === 'snapshot.begin') { begins.push(body); return { upload_id: `u-${begins.length}`, chunk_size: 1 << 20 }; }
    if (type === 'snapshot.chunk' && drops-- > 0) throw Object.assign(new Error('port closed'), { code: 'disconnected' });
    if (type === 'snapshot.commit') return { snapshot_id: 'snap-7', artifacts: [], duplicate: false };
    return {};
  };
  const res = await uploadSnapshot(typed(request), { ...meta, capture_id: 'cap-12345678' },
    [{ name: 'fullpage.png', mime: 'image/png', bytes: new Uint8Array([1, 2, 3]) }], { amends: 'snap-7', backoffMs: 1 });
  assert.equal(res.snapshotId, 'snap-7');
  assert.equal(begins.length, 2);
  for (const b of begins) {
    assert.equal(b.amends, 'snap-7');
    assert.equal((b.meta as Record<string, unknown>).capture_id, 'cap-12345678');
  }
  // A first commit carries no amends field at all.
  begins.length = 0;
  await uploadSnapshot(typed(request), meta, []);
  assert.equal('amends' in begins[0], false);
});

test('text artifacts go as UTF-8 text chunks cut on character boundaries when the host offers them; the rest base64', async () => {
  const enc = new TextEncoder();
  const text = enc.encode('\ufeffgrüße 日本語 😀 "quoted" \\ \u0000 tab\t'.repeat(40));
  // Valid UTF-8 for two chunks, then a stray byte: base64 from that chunk on.
  const mixed = new Uint8Array([...enc.encode('a'.repeat(20)), 0xff, ...enc.encode('tail')]);
  const arts: Artifact[] = [
    { name: 'screenshot.png', mime: 'image/png', bytes: enc.encode('PNG-looking but valid UTF-8') },
    { name: 'text.txt', mime: 'text/plain', bytes: text },
    { name: 'settings.json', mime: 'application/json', bytes: mixed },
  ];
  const host = fakeHost({ chunkSize: 10, textChunks: true });
  await uploadSnapshot(typed(host.request), meta, arts);
  for (const a of arts) assert.deepEqual(new Uint8Array(host.stored[0][a.name]), a.bytes, a.name);
  const kinds = (name: string) => new Set(host.encodings.filter((e) => e.startsWith(`${name}:`)).map((e) => e.split(':')[1]));
  assert.deepEqual(kinds('screenshot.png'), new Set(['base64']), 'images are never sent as text');
  assert.deepEqual(kinds('text.txt'), new Set(['text']));
  assert.deepEqual(host.encodings.filter((e) => e.startsWith('settings.json:')),
    ['settings.json:text', 'settings.json:text', 'settings.json:base64']);

  // A host that does not offer them gets base64 only.
  const old = fakeHost({ chunkSize: 10 });
  await uploadSnapshot(typed(old.request), meta, arts);
  assert.ok(old.encodings.every((e) => e.endsWith(':base64')));
  for (const a of arts) assert.deepEqual(new Uint8Array(old.stored[0][a.name]), a.bytes, a.name);
});

test('a host that takes upload ids gets begin, the chunks and the commit in one burst, before begin is answered', async () => {
  const host = fakeHost({ chunkSize: 1 << 20, textChunks: true, holdBegin: true });
  const arts = artifacts();
  // Were a chunk to wait for begin's reply, it would wait for ever (the reply waits for the commit).
  const res = await Promise.race([uploadSnapshot(typed(host.request), meta, arts, { uploadIds: true }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the chunks waited for begin\'s reply')), 2000))]);
  assert.equal(res.snapshotId, 'snap-1');
  assert.deepEqual(host.calls, ['snapshot.begin', 'snapshot.chunk', 'snapshot.chunk', 'snapshot.commit']); // empty.txt needs none
  for (const a of arts) assert.deepEqual(new Uint8Array(host.stored[0][a.name]), a.bytes, a.name);
  assert.ok(host.encodings.includes('dom.html:text'), 'text chunks without begin having said so: upload_ids promises them');
});

test('behind a refused begin, the named upload reports begin\'s error, not the unknown_upload of its chunks, and is not retried', async () => {
  const host = fakeHost({ chunkSize: 1 << 20, refuseBegin: 'storage_full' });
  await assert.rejects(uploadSnapshot(typed(host.request), meta, artifacts(), { uploadIds: true, backoffMs: 1 }),
    (e: { code?: string }) => e.code === 'storage_full');
  assert.equal(host.calls.filter((c) => c === 'snapshot.begin').length, 1);
});
