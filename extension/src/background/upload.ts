// Chunked upload of one snapshot over the native port (docs/protocol.md): snapshot.begin with the
// metadata and every artifact's size and SHA-256, chunks of the size the host asks for (UTF-8 text
// as JSON strings when the host takes them, anything else base64), then
// snapshot.commit, which the host acknowledges only after its transaction committed. When the host
// lets the upload be named here (hello lists "upload_ids"), all of them go out in one burst, without
// waiting for begin's reply. A dropped port loses the open upload on the host side, so a retry
// starts again from begin. Every attempt carries the same capture_id: when the port dropped after
// the host committed, the retried commit gets the stored snapshot back (duplicate: true) instead of
// storing a second one.

export { utf8 } from '../shared/utf8';
import type { HostRequests, SnapshotMeta, StoredArtifact } from '../shared/spec.gen';

export interface Artifact {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

export interface ArtifactInfo {
  name: string;
  mime: string;
  size: number;
  sha256: string;
}

/** The host requests an upload makes: background/host.ts request(), or a stand-in in tests. */
export type UploadRequest = 'snapshot.begin' | 'snapshot.chunk' | 'snapshot.commit' | 'snapshot.abort';
export type RequestFn = <T extends UploadRequest>(type: T, body: HostRequests[T]['request']) => Promise<HostRequests[T]['reply']>;

export interface UploadOptions {
  onProgress?: (sent: number, total: number) => void;
  /** Attempts after the first when the port drops. */
  retries?: number;
  backoffMs?: number;
  /** The stored snapshot these artifacts are added to: a second commit (docs/protocol.md, Amending a
   * snapshot). A retry after a dropped port is answered `duplicate` when the amend was stored. */
  amends?: string;
  /** The host takes the client's own upload_id (hello lists "upload_ids"): begin, the chunks and the
   * commit then go out in one burst, without a round trip for begin's reply. */
  uploadIds?: boolean;
}

export interface UploadResult {
  snapshotId: string;
  artifacts: StoredArtifact[];
  attempts: number;
  /** The host already had this capture (an earlier attempt committed before the port dropped). */
  duplicate: boolean;
}

export const DEFAULT_CHUNK = 512 * 1024;
// A chunk's base64 must stay well under the 64 MiB frame limit whatever the host proposes.
const MAX_CHUNK = 8 * 1024 * 1024;
/** Chunk requests on the port at once. */
const IN_FLIGHT = 4;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The browser's own encoder where it has one (Chromium 140+, Firefox 133+): about 4× faster than
 * building a binary string for btoa. */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  }
  return btoa(s);
}


// An artifact's SHA-256, computed once: a capture starts hashing its bodies as soon as they arrive
// (while the screenshot is taken), and describe() then finds the result.
const hashes = new WeakMap<Uint8Array, Promise<string>>();

export function hashOf(bytes: Uint8Array): Promise<string> {
  let h = hashes.get(bytes);
  if (!h) {
    h = sha256Hex(bytes);
    hashes.set(bytes, h);
  }
  return h;
}

export async function describe(a: Artifact): Promise<ArtifactInfo> {
  return { name: a.name, mime: a.mime, size: a.bytes.length, sha256: await hashOf(a.bytes) };
}

/** Errors worth a retry: the port dropped or the host restarted and forgot the upload. */
export function isRetryable(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'disconnected' || code === 'unknown_upload';
}

export async function uploadSnapshot(request: RequestFn, meta: SnapshotMeta, artifacts: Artifact[],
  opts: UploadOptions = {}): Promise<UploadResult> {
  const infos = await Promise.all(artifacts.map(describe));
  const total = artifacts.reduce((n, a) => n + a.bytes.length, 0);
  const retries = opts.retries ?? 2;
  // One id per capture, reused by every attempt: the host's idempotency key.
  const base: SnapshotMeta = { ...meta, capture_id: meta.capture_id ?? crypto.randomUUID() };
  let attempt = 0;
  for (;;) {
    attempt++;
    try {
      // A retried upload says so in its notes: the record shows the port dropped once.
      const m = attempt > 1 ? { ...base, notes: { ...meta.notes, upload_attempt: String(attempt) } } : base;
      return { ...(await once(request, m, artifacts, infos, total, opts)), attempts: attempt };
    } catch (e) {
      if (!isRetryable(e) || attempt > retries) throw e;
      await new Promise((r) => setTimeout(r, (opts.backoffMs ?? 200) * attempt));
    }
  }
}

async function once(request: RequestFn, meta: SnapshotMeta, artifacts: Artifact[], infos: ArtifactInfo[],
  total: number, opts: UploadOptions): Promise<Omit<UploadResult, 'attempts'>> {
  // Named here, the upload's chunks follow begin at once: the host takes a port's requests in order.
  const named = opts.uploadIds ? crypto.randomUUID() : '';
  const beginning = request('snapshot.begin', { meta, artifacts: infos, ...(opts.amends ? { amends: opts.amends } : {}),
    ...(named ? { upload_id: named } : {}) });
  beginning.catch(() => undefined); // when named, awaited only if something fails (below)
  const begun = named ? { upload_id: named, chunk_size: DEFAULT_CHUNK, text_chunks: true } : await beginning;
  const uploadId = String(begun.upload_id ?? '');
  if (!uploadId) throw Object.assign(new Error('host returned no upload_id'), { code: 'bad_reply' });
  const asked = Number(begun.chunk_size);
  const chunk = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_CHUNK) : DEFAULT_CHUNK;
  let sent = 0;
  opts.onProgress?.(0, total);
  // Chunks are pipelined: up to IN_FLIGHT requests are on the port at once, so the host is
  // decoding one while the next is encoded and sent. The host answers a port's requests in the
  // order they arrive, so the offsets still reach it in order.
  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown = null;
  // Text artifacts go as JSON strings where the host takes them: the browser's JSON pipe to the host
  // is what limits an upload, and base64 makes it carry a third more.
  const utf8Text = begun.text_chunks === true ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : null;
  try {
    for (const a of artifacts) {
      let asText = utf8Text !== null && !a.mime.startsWith('image/');
      for (let off = 0; off < a.bytes.length;) {
        // A full pipe is waited on before the next chunk, never after the last one: the commit follows
        // at once.
        while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        if (failure) throw failure;
        let end = Math.min(off + chunk, a.bytes.length);
        let body: { text: string } | { data: string } | null = null;
        if (asText && utf8Text) {
          // Cut before a character's continuation bytes, never inside the character.
          let cut = end;
          while (cut > off && cut < a.bytes.length && (a.bytes[cut] & 0xc0) === 0x80) cut--;
          try {
            if (cut > off) {
              body = { text: utf8Text.decode(a.bytes.subarray(off, cut)) };
              end = cut;
            }
          } catch {
            // Not UTF-8 after all: base64 from here on.
          }
          if (!body) asText = false;
        }
        body ??= { data: toBase64(a.bytes.subarray(off, end)) };
        const size = end - off;
        const p: Promise<unknown> = request('snapshot.chunk', { upload_id: uploadId, artifact: a.name, offset: off, ...body })
          .then(() => { sent += size; opts.onProgress?.(sent, total); },
            (e) => { failure ??= e; })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        off = end;
      }
    }
    // The commit goes out behind the last chunks without waiting for their replies: the host answers
    // a port's requests in order, so it commits only after every chunk before it was taken. A failed
    // chunk is the error to report (the commit then fails for the missing bytes too).
    const commit = request('snapshot.commit', { upload_id: uploadId });
    await Promise.all(inFlight);
    if (failure) {
      commit.catch(() => undefined);
      throw failure;
    }
    const done = await commit;
    return { snapshotId: done.snapshot_id ?? '', artifacts: done.artifacts ?? [], duplicate: done.duplicate === true };
  } catch (caught) {
    // Behind a refused begin every request fails with unknown_upload, which is worth a retry; begin's
    // own error is the one that says what is wrong.
    const e: unknown = named ? await beginning.then(() => caught, (refused: unknown) => refused) : caught;
    // Free the host's buffers when the port is still up; a dropped port already discarded them.
    if (!isRetryable(e)) await request('snapshot.abort', { upload_id: uploadId }).catch(() => undefined);
    throw e;
  }
}
