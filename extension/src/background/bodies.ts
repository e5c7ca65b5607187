// Receives the artifact bodies a capture's page script sends (BodiesPart messages, structured
// clones) and hands them to the capture waiting for them. A capture announces its token first;
// parts for an unknown token, another tab, or past a body's declared size are refused.
import { BODY_NAMES, type BodiesPart, type BodyName } from '../shared/page-api';

interface Waiting {
  tabId: number;
  bodies: Map<BodyName, { bytes: Uint8Array; received: number }>;
  /** Bodies sent as a Blob, being read. */
  blobs: Set<BodyName>;
  sizes?: Record<BodyName, number>;
  resolve: (b: Record<BodyName, Uint8Array>) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const waiting = new Map<string, Waiting>();

/** Starts waiting for the bodies of the capture with this token; `sizes` (from the page's
 * collect() result) resolves it once every byte arrived. Gives up after timeoutMs. */
export function expectBodies(token: string, tabId: number, timeoutMs = 60_000): {
  sizes: (s: Record<BodyName, number>) => void; bodies: Promise<Record<BodyName, Uint8Array>>; cancel: () => void;
} {
  let w!: Waiting;
  const bodies = new Promise<Record<BodyName, Uint8Array>>((resolve, reject) => {
    w = { tabId, bodies: new Map(), blobs: new Set(), resolve, reject,
      timer: setTimeout(() => fail(token, new Error('the page did not deliver the DOM and text of the capture in time')), timeoutMs) };
  });
  waiting.set(token, w);
  return {
    sizes: (s) => { w.sizes = s; finish(token); },
    bodies,
    cancel: () => { clearTimeout(w.timer); waiting.delete(token); },
  };
}

function fail(token: string, e: Error): void {
  const w = waiting.get(token);
  if (!w) return;
  clearTimeout(w.timer);
  waiting.delete(token);
  w.reject(e);
}

function finish(token: string): void {
  const w = waiting.get(token);
  if (!w?.sizes) return;
  const out = {} as Record<BodyName, Uint8Array>;
  for (const name of BODY_NAMES) {
    const size = w.sizes[name];
    const got = w.bodies.get(name);
    if (size === 0) { out[name] = new Uint8Array(0); continue; }
    if (!got || got.received < size) return; // more parts to come
    out[name] = got.bytes;
  }
  clearTimeout(w.timer);
  waiting.delete(token);
  w.resolve(out);
}

/** A BodiesPart from a page; true when it belonged to a waiting capture. A Blob's bytes are read
 * here, then placed like a part's. */
export function receiveBodiesPart(part: BodiesPart, tabId: number | undefined): boolean {
  const w = waiting.get(part.token);
  if (!w || w.tabId !== tabId || !BODY_NAMES.includes(part.name)) return false;
  if (part.blob instanceof Blob) {
    const { blob } = part;
    if (part.offset !== 0 || blob.size !== part.size || w.bodies.has(part.name) || w.blobs.has(part.name)) {
      fail(part.token, new Error(`the page sent a malformed part of ${part.name}`));
      return false;
    }
    w.blobs.add(part.name);
    blob.arrayBuffer().then((buf) => placePart(part, new Uint8Array(buf)),
      (e: unknown) => fail(part.token, new Error(`the page's ${part.name} could not be read: ${e instanceof Error ? e.message : String(e)}`)));
    return true;
  }
  if (!(part.bytes instanceof Uint8Array)) return false;
  return placePart(part, part.bytes);
}

function placePart(part: BodiesPart, bytes: Uint8Array): boolean {
  const w = waiting.get(part.token);
  if (!w) return false;
  const { name, offset, size } = part;
  let b = w.bodies.get(name);
  if (!b) {
    if (!Number.isSafeInteger(size) || size < 0) return false;
    b = { bytes: bytes.length === size && offset === 0 ? bytes : new Uint8Array(size), received: 0 };
    w.bodies.set(name, b);
  }
  if (b.bytes.length !== size || !Number.isSafeInteger(offset) || offset < 0 || offset + bytes.length > size) {
    fail(part.token, new Error(`the page sent a malformed part of ${name}`));
    return false;
  }
  if (b.bytes !== bytes) b.bytes.set(bytes, offset);
  b.received += bytes.length;
  finish(part.token);
  return true;
}
