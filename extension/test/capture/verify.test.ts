import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK_RGB, verifyMasks, type Pixels } from '../../src/background/verify';
import type { MaskBox } from '../../src/shared/page-api';

/** A synthetic capture: white page with grey "text", mask colour painted where `painted` says, at
 * device pixel ratio `scale`. */
function image(w: number, h: number, painted: MaskBox[], scale: number): Pixels {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < data.length; i += 4) { data[i] = data[i + 1] = data[i + 2] = (i / 4) % 7 === 0 ? 90 : 255; data[i + 3] = 255; }
  for (const b of painted) {
    for (let y = Math.round(b.y * scale); y < Math.round((b.y + b.h) * scale); y++) {
      for (let x = Math.round(b.x * scale); x < Math.round((b.x + b.w) * scale); x++) {
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const i = (y * w + x) * 4;
        [data[i], data[i + 1], data[i + 2]] = MASK_RGB;
      }
    }
  }
  return { width: w, height: h, data };
}

const boxes: MaskBox[] = [
  { x: 10.5, y: 20.25, w: 120, h: 18 },
  { x: 200, y: 300, w: 64.5, h: 20 },
  { x: 40, y: 500, w: 300, h: 2 }, // thin: checked at its centre
];

test('every painted box is verified, at device pixels', () => {
  for (const scale of [1, 1.25, 2]) {
    const img = image(Math.ceil(400 * scale), Math.ceil(600 * scale), boxes, scale);
    assert.deepEqual(verifyMasks(img, boxes, scale), { drawn: 3, verified: 3 }, `scale ${scale}`);
  }
});

test('an image with one box missing (the capture raced the paint) is caught', () => {
  const img = image(800, 1200, boxes.slice(0, 2), 2); // the third box was not painted
  assert.deepEqual(verifyMasks(img, boxes, 2), { drawn: 3, verified: 2 });
  // Half a box painted is not a box.
  const half = image(400, 600, [{ ...boxes[0], w: 60 }, boxes[1], boxes[2]], 1);
  assert.deepEqual(verifyMasks(half, boxes, 1), { drawn: 3, verified: 2 });
  // Nothing painted at all.
  assert.deepEqual(verifyMasks(image(400, 600, [], 1), boxes, 1), { drawn: 3, verified: 0 });
});

test('boxes outside the captured area are not this image\'s; boxes cut by its edge are checked inside it', () => {
  const out: MaskBox[] = [{ x: 10, y: 700, w: 50, h: 20 }, { x: -80, y: 10, w: 50, h: 20 }];
  const edge: MaskBox = { x: 350, y: 590, w: 100, h: 40 };
  const img = image(400, 600, [edge], 1);
  assert.deepEqual(verifyMasks(img, [...out, edge], 1), { drawn: 1, verified: 1 });
});
