// The contract between the background and the page collector it injects (injected/page.ts, built
// to PAGE_SCRIPT): the object installed on the isolated world's global under PAGE_API_KEY.
import type { RedactionEntry, RedactOptions } from './redact';
import type { Classification } from './vocab';

export const PAGE_SCRIPT = 'capture-page.js';
export const PAGE_API_KEY = '__ringfenceCapture';

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
  html: string;
  text: string;
  settings: string;
  classification: Classification;
  redactions: RedactionEntry[];
  secrets: string[];
  stats: SanitizeStats & { nodes: number; collectMs: number; masked: number };
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
  collect(o: CollectOptions): PageResult;
  geometry(): Geometry;
  /** Scrolls, re-draws the masks for the new position and waits until they are painted. */
  scrollTo(y: number): Promise<Settled>;
  /** Waits until a frame with the current masks has been presented. */
  settle(): Promise<Settled>;
  hideFixed(): number;
  restore(): void;
}
