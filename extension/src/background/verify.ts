// Checks a captured image for the mask boxes before it is stored: a capture that raced the paint
// of the overlay (or a page that covered or removed it) would otherwise store every key in plain
// pixels while the metadata says the boxes were drawn. Pure over decoded RGBA pixels, so the unit
// tests run it on synthetic images; decode() is the service worker's side.
import type { MaskBox } from '../shared/page-api';

/** The mask colour (injected/mask.ts MASK_COLOR, #111111) and how far a channel may stray from it
 * (colour management, PNG round trips). */
export const MASK_RGB = [0x11, 0x11, 0x11] as const;
const TOLERANCE = 8;

export interface Pixels { width: number; height: number; data: Uint8ClampedArray | Uint8Array }

export interface MaskCheck {
  /** Boxes that intersect the captured area (the ones this image must show). */
  drawn: number;
  /** Of those, boxes whose every inner pixel is the mask colour. */
  verified: number;
}

/** Checks every box: `boxes` are CSS pixels relative to the image's top-left corner, `scale` the
 * device pixels per CSS pixel. Edges get one device pixel of slack for anti-aliasing; a box too thin
 * for that is checked at its centre. */
export function verifyMasks(img: Pixels, boxes: MaskBox[], scale: number): MaskCheck {
  let drawn = 0;
  let verified = 0;
  for (const b of boxes) {
    let x0 = Math.max(0, Math.ceil(b.x * scale) + 1);
    let y0 = Math.max(0, Math.ceil(b.y * scale) + 1);
    let x1 = Math.min(img.width, Math.floor((b.x + b.w) * scale) - 1);
    let y1 = Math.min(img.height, Math.floor((b.y + b.h) * scale) - 1);
    // Outside the captured area: not this image's box.
    if ((b.x + b.w) * scale <= 0 || (b.y + b.h) * scale <= 0 || b.x * scale >= img.width || b.y * scale >= img.height) continue;
    drawn++;
    if (x1 <= x0 || y1 <= y0) {
      const cx = Math.min(img.width - 1, Math.max(0, Math.floor((b.x + b.w / 2) * scale)));
      const cy = Math.min(img.height - 1, Math.max(0, Math.floor((b.y + b.h / 2) * scale)));
      x0 = cx; x1 = cx + 1; y0 = cy; y1 = cy + 1;
    }
    if (allMask(img, x0, y0, x1, y1)) verified++;
  }
  return { drawn, verified };
}

function allMask(img: Pixels, x0: number, y0: number, x1: number, y1: number): boolean {
  const d = img.data;
  for (let y = y0; y < y1; y++) {
    let i = (y * img.width + x0) * 4;
    for (let x = x0; x < x1; x++, i += 4) {
      if (Math.abs(d[i] - MASK_RGB[0]) > TOLERANCE || Math.abs(d[i + 1] - MASK_RGB[1]) > TOLERANCE
        || Math.abs(d[i + 2] - MASK_RGB[2]) > TOLERANCE) return false;
    }
  }
  return true;
}

/** Decodes a PNG in the service worker (no DOM: createImageBitmap and an OffscreenCanvas). */
export async function decode(png: Uint8Array): Promise<Pixels> {
  const bmp = await createImageBitmap(new Blob([png as BlobPart], { type: 'image/png' }));
  try {
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bmp, 0, 0);
    const id = ctx.getImageData(0, 0, bmp.width, bmp.height);
    return { width: id.width, height: id.height, data: id.data };
  } finally {
    bmp.close();
  }
}

/** How many times a capture is taken again when its masks are not all in the image. */
export const MASK_ATTEMPTS = 3;
