// Screenshots. Visible: tabs.captureVisibleTab (needs activeTab or <all_urls>). Full page:
// Firefox renders any rectangle of the page with tabs.captureTab, without scrolling; Chromium has
// no such API without the debugger permission (which shows a "being debugged" bar), so the page is
// scrolled one viewport at a time and the captureVisibleTab frames are stitched, paced under
// Chromium's limit of two captures per second, with fixed and sticky elements hidden after the
// first frame so headers do not repeat. The result is cut into PNG tiles of at most TILE_PX device
// pixels, and the height is capped at MAX_HEIGHT CSS pixels.
import { api } from '../shared/browser';
import type { Geometry } from '../shared/page-api';

export const MAX_HEIGHT = 30_000;
export const TILE_PX = 8_000;
const QUOTA_MS = 550;

let lastCapture = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function dataUrlBytes(url: string): Uint8Array {
  const b64 = url.slice(url.indexOf(',') + 1);
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
  scrollTo(y: number): Promise<number>;
  hideFixed(): Promise<number>;
}

export interface FullPage {
  tiles: Uint8Array[];
  note: string;
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

/** Chromium: scroll and stitch. `first` is the visible capture already taken at the current scroll
 * position; it is reused when the page is scrolled to the top. */
export async function fullPageStitched(windowId: number, page: PageControl, g: Geometry): Promise<FullPage> {
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
  for (let y = 0; y < height; y += vh) {
    const actual = await page.scrollTo(y);
    if (frames === 1) await page.hideFixed();
    const bytes = await captureVisible(windowId);
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
  return { tiles, note: [`stitched from ${frames} viewport captures`, note].filter(Boolean).join('; ') };
}

interface CaptureTabApi {
  captureTab(tabId: number, o: { format: 'png'; rect: { x: number; y: number; width: number; height: number }; scale?: number }): Promise<string>;
}

/** Firefox: one captureTab per tile, no scrolling. */
export async function fullPageFirefox(tabId: number, g: Geometry): Promise<FullPage> {
  const { height, note } = plan(g);
  const tabs = api.tabs as unknown as CaptureTabApi;
  const scale = g.devicePixelRatio;
  const tileCss = Math.floor(TILE_PX / scale);
  const tiles: Uint8Array[] = [];
  for (let top = 0; top < height; top += tileCss) {
    const h = Math.min(tileCss, height - top);
    tiles.push(dataUrlBytes(await tabs.captureTab(tabId, { format: 'png', rect: { x: 0, y: top, width: g.innerWidth, height: h }, scale })));
  }
  return { tiles, note: ['tabs.captureTab with rect', note].filter(Boolean).join('; ') };
}

export function hasCaptureTab(): boolean {
  return typeof (api.tabs as unknown as Partial<CaptureTabApi>).captureTab === 'function';
}
