// The contract between the background and the page collector it injects (injected/page.ts, built
// to PAGE_SCRIPT): the object installed on the isolated world's global under PAGE_API_KEY.
import type { RedactionEntry, RedactOptions } from './redact';
import type { Classification } from './vocab';

export const PAGE_SCRIPT = 'capture-page.js';
// Not the "__ringfenceCapture" of versions before the collector stayed installed between captures:
// their copy, left in open tabs after an update, is a non-configurable property that cannot be
// replaced, and a fresh key never meets it.
export const PAGE_API_KEY = '__ringfencePageApi';

export interface SanitizeStats {
  elements: number;
  shadowRoots: number;
  frames: number;
  neutralized: number;
}

export interface CollectOptions {
  redact: RedactOptions;
  /** Cover visible secrets with boxes until unmask(), for the screenshots that follow. */
  mask: boolean;
  /** The capture's one-time token: the page sends the artifact bodies with it (BodiesPart). */
  token: string;
}

/** The artifacts collect() makes, UTF-8 encoded: sent by runtime messages rather than in
 * executeScript's result, which Chromium serializes as JSON (about 150 ms per MB), while messages
 * are structured clones (message_serialization in the Chromium manifest; always so in Firefox). */
export const BODY_NAMES = ['dom.html', 'text.txt', 'settings.json'] as const;
export type BodyName = typeof BODY_NAMES[number];
export const BODIES_MESSAGE = 'capture.bodies';
/** A part of one body: a message may carry at most 64 MiB in Chromium. */
export const BODY_PART = 16 << 20;
/** A part of one body (`bytes`), or in Chromium a whole body of 512 KiB or more as a Blob (`blob`, offset 0): its bytes
 * travel through the browser's blob storage instead of inside the message, and the page never
 * encodes them in script (the Blob constructor does) — an 8 MB body reaches the background 2–3×
 * sooner. */
export interface BodiesPart {
  type: typeof BODIES_MESSAGE;
  token: string;
  name: BodyName;
  /** Where this part starts in the body, and the body's whole size. */
  offset: number;
  size: number;
  bytes?: Uint8Array;
  blob?: Blob;
}

export interface PageResult {
  url: string;
  title: string;
  lang: string;
  language: string;
  viewport: { width: number; height: number };
  devicePixelRatio: number;
  scroll: { x: number; y: number };
  documentSize: { width: number; height: number };
  /** Each body's size in bytes (the bodies themselves come as BodiesPart messages). */
  bodySizes: Record<BodyName, number>;
  classification: Classification;
  redactions: RedactionEntry[];
  secrets: string[];
  stats: SanitizeStats & { nodes: number; collectMs: number; masked: number };
  /** With CollectOptions.mask: the page as the screenshot will show it, once a frame with the masks
   * drawn by collect() has been presented (at once when it drew none). */
  settled?: Settled;
}

/** A mask box in viewport CSS pixels. */
export interface MaskBox { x: number; y: number; w: number; h: number }

/** What the page shows once a frame with the current masks has been presented. */
export interface Settled {
  boxes: MaskBox[];
  scrollX: number;
  scrollY: number;
  innerWidth: number;
  innerHeight: number;
}

export interface Geometry {
  scrollHeight: number;
  scrollWidth: number;
  innerHeight: number;
  innerWidth: number;
  devicePixelRatio: number;
  scrollX: number;
  scrollY: number;
}

export interface PageApi {
  /** False in a copy whose extension context is gone (reloaded or updated extension). */
  alive(): boolean;
  collect(o: CollectOptions): Promise<PageResult>;
  geometry(): Geometry;
  /** Scrolls, re-draws the masks for the new position and waits until they are painted. */
  scrollTo(y: number): Promise<Settled>;
  /** Waits until a frame with the current masks has been presented. */
  settle(): Promise<Settled>;
  hideFixed(): number;
  restore(): void;
}
