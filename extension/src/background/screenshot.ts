// Screenshots. Visible: tabs.captureVisibleTab (needs activeTab or <all_urls>). Full page:
// Firefox renders any rectangle of the page with tabs.captureTab, without scrolling; Chromium has
// no such API without the debugger permission (which shows a "being debugged" bar), so the page is
// scrolled one viewport at a time and the captureVisibleTab frames are stitched, paced under
// Chromium's limit of two captures per second, with fixed and sticky elements hidden after the
// first frame so headers do not repeat. The result is cut into PNG tiles of at most TILE_PX device
// pixels, and the height is capped at MAX_HEIGHT CSS pixels.
//
// Every captured image is checked for the secret masks before it is used (verify.ts): a capture
// is taken again up to MASK_ATTEMPTS times, and an image whose masks are still not all there is
// never stored — the screenshot (or the whole full-page image) is left out with the reason.
import { api } from '../shared/browser';
import type { Geometry, Settled } from '../shared/page-api';
import { decode, MASK_ATTEMPTS, verifyMasks, type MaskCheck } from './verify';

export const MAX_HEIGHT = 30_000;
export const TILE_PX = 8_000;
const QUOTA_MS = 550;

let lastCapture = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function dataUrlBytes(url: string): Uint8Array {
  const b64 = url.slice(url.indexOf(',') + 1);
  // The browser's own decoder where it has one (Chromium 140+, Firefox 133+), like toBase64.
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (typeof native === 'function') return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function captureVisible(windowId: number): Promise<Uint8Array> {
  const wait = lastCapture + QUOTA_MS - Date.now();
  if (wait > 0) await sleep(wait);
  try {
    return dataUrlBytes(await api.tabs.captureVisibleTab(windowId, { format: 'png' }));
  } finally {
    lastCapture = Date.now();
  }
}

export interface PageControl {
  geometry(): Promise<Geometry>;
  scrollTo(y: number): Promise<Settled>;
  settle(): Promise<Settled>;
  hideFixed(): Promise<number>;
}

/** One capture's mask check, for the snapshot's metadata. */
export interface ShotCheck extends MaskCheck { shot: string; attempts: number }

export interface FullPage {
  tiles: Uint8Array[];
  note: string;
  checks: ShotCheck[];
}

/** Thrown when a capture's masks are still missing after MASK_ATTEMPTS: nothing of it is stored. */
export class MaskError extends Error {
  constructor(readonly check: ShotCheck) {
    super(`the secret masks were not all in the captured image (${check.shot}: ${check.verified} of ${check.drawn} boxes after ${check.attempts} attempts); the image was not stored`);
  }
}

/** Captures the viewport once the masks are painted (settle) and checks them in the image; takes it
 * again when a box is missing. `first` is the state the page already settled in. */
export async function captureVerified(windowId: number, shot: string, first: Settled, settle: () => Promise<Settled>): Promise<{ bytes: Uint8Array; check: ShotCheck }> {
  let s = first;
  let check: ShotCheck = { shot, drawn: 0, verified: 0, attempts: 0 };
  for (let attempt = 1; attempt <= MASK_ATTEMPTS; attempt++) {
    if (attempt > 1) s = await settle();
    const bytes = await captureVisible(windowId);
    if (!s.boxes.length) return { bytes, check: { shot, drawn: 0, verified: 0, attempts: attempt } };
    const img = await decode(bytes);
    check = { shot, ...verifyMasks(img, s.boxes, img.height / s.innerHeight), attempts: attempt };
    if (check.verified === check.drawn) return { bytes, check };
  }
  throw new MaskError(check);
}

async function png(canvas: OffscreenCanvas): Promise<Uint8Array> {
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}

function plan(g: Geometry): { height: number; note: string } {
  const height = Math.min(g.scrollHeight, MAX_HEIGHT);
  const note = g.scrollHeight > MAX_HEIGHT ? `truncated to the first ${MAX_HEIGHT} of ${g.scrollHeight} CSS px` : '';
  return { height, note };
}

/** Chromium: scroll and stitch. `first` is the visible capture already taken at the scroll position
 * `g` reports; when that is the top of the page it is the first frame, so an N-screen page takes N
 * captures (each one waits out the capture quota), not N + 1. */
export async function fullPageStitched(windowId: number, page: PageControl, g: Geometry, first?: Uint8Array): Promise<FullPage> {
  const { height, note } = plan(g);
  const vh = g.innerHeight;
  let scale = 0;
  let frameWidth = 0;
  let tileCss = 0;
  const tiles: Uint8Array[] = [];
  let tile: { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D; top: number; bottom: number } | null = null;
  const newTile = (top: number): void => {
    const bottom = Math.min(top + tileCss, height);
    const canvas = new OffscreenCanvas(frameWidth, Math.round((bottom - top) * scale));
    tile = { canvas, ctx: canvas.getContext('2d')!, top, bottom };
  };
  let frames = 0;
  const checks: ShotCheck[] = [];
  let captures = 0;
  for (let y = 0; y < height; y += vh) {
    // Fixed and sticky elements are hidden before the second frame is scrolled to, so the masks
    // re-drawn after the scroll are painted with the page as it will be captured.
    if (frames === 1) await page.hideFixed();
    // The visible screenshot, already verified, is the first frame when the page is at the top.
    const reuse = y === 0 && first !== undefined && g.scrollY === 0 && g.scrollX === 0;
    let bytes: Uint8Array;
    let actual = 0;
    if (reuse) {
      bytes = first;
    } else {
      const settled = await page.scrollTo(y);
      actual = settled.scrollY;
      const shot = await captureVerified(windowId, `fullpage frame ${frames + 1}`, settled, () => page.settle());
      bytes = shot.bytes;
      checks.push(shot.check);
      captures++;
    }
    frames++;
    const bmp = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }));
    if (!scale) {
      // Device pixels per CSS pixel, from the height: a frame includes any scrollbar, and
      // innerHeight counts a horizontal one too.
      scale = bmp.height / vh;
      frameWidth = bmp.width;
      tileCss = Math.max(vh, Math.floor(TILE_PX / scale));
      newTile(0);
    }
    // The frame covers CSS rows [actual, actual + vh); draw it into every tile it overlaps.
    let from = Math.max(actual, y === 0 ? 0 : y);
    const to = Math.min(actual + vh, height);
    while (tile && from < to) {
      const t = tile as { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D; top: number; bottom: number };
      const end = Math.min(to, t.bottom);
      t.ctx.drawImage(bmp, 0, Math.round((from - actual) * scale), bmp.width, Math.round((end - from) * scale),
        0, Math.round((from - t.top) * scale), t.canvas.width, Math.round((end - from) * scale));
      from = end;
      if (end >= t.bottom) {
        tiles.push(await png(t.canvas));
        tile = null;
        if (t.bottom < height) newTile(t.bottom);
      }
    }
    bmp.close();
    if (actual + vh >= height) break; // the browser clamped the scroll: this was the last frame
  }
  if (tile) tiles.push(await png((tile as { canvas: OffscreenCanvas }).canvas));
  return { tiles, note: [`stitched from ${frames} viewport frames (${captures} captures)`, note].filter(Boolean).join('; '), checks };
}

interface CaptureTabApi {
  captureTab(tabId: number, o: { format: 'png'; rect: { x: number; y: number; width: number; height: number }; scale?: number }): Promise<string>;
}

/** Firefox: one captureTab per tile, no scrolling; each tile is checked for the boxes that fall in
 * it (document coordinates: the page is not scrolled). */
export async function fullPageFirefox(tabId: number, g: Geometry, settle: () => Promise<Settled>): Promise<FullPage> {
  const { height, note } = plan(g);
  const tabs = api.tabs as unknown as CaptureTabApi;
  const scale = g.devicePixelRatio;
  const tileCss = Math.floor(TILE_PX / scale);
  const tiles: Uint8Array[] = [];
  const checks: ShotCheck[] = [];
  for (let top = 0, i = 1; top < height; top += tileCss, i++) {
    const h = Math.min(tileCss, height - top);
    let check: ShotCheck = { shot: `fullpage tile ${i}`, drawn: 0, verified: 0, attempts: 0 };
    let bytes: Uint8Array | null = null;
    for (let attempt = 1; attempt <= MASK_ATTEMPTS && !bytes; attempt++) {
      const s = await settle();
      const b = dataUrlBytes(await tabs.captureTab(tabId, { format: 'png', rect: { x: 0, y: top, width: g.innerWidth, height: h }, scale }));
      const boxes = s.boxes.map((x) => ({ x: x.x + s.scrollX, y: x.y + s.scrollY - top, w: x.w, h: x.h }));
      const img = boxes.length ? await decode(b) : null;
      check = { ...check, ...(img ? verifyMasks(img, boxes, img.height / h) : { drawn: 0, verified: 0 }), attempts: attempt };
      if (check.verified === check.drawn) bytes = b;
    }
    if (!bytes) throw new MaskError(check);
    checks.push(check);
    tiles.push(bytes);
  }
  return { tiles, note: ['tabs.captureTab with rect', note].filter(Boolean).join('; '), checks };
}

export function hasCaptureTab(): boolean {
  return typeof (api.tabs as unknown as Partial<CaptureTabApi>).captureTab === 'function';
}
