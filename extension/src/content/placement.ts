// Where the banner goes: somewhere it covers none of the page's controls and dialog titles (hard
// obstacles) and, if it can, no dialog at all (soft obstacles). Pure geometry, no DOM: the content
// script measures, this decides. Docked at the top or bottom edge when that is free; otherwise in
// the free band nearest to an edge; narrower (the title then ellipsises) before it covers anything.

export interface Box { left: number; top: number; right: number; bottom: number }
export interface Size { width: number; height: number }
export interface Placement { left: number; top: number; width: number; height: number; hard: number; soft: number }

export const MARGIN = 8;

function overlap(a: Box, b: Box): number {
  const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return x > 0 && y > 0 ? x * y : 0;
}

function sum(box: Box, list: Box[]): number {
  let s = 0;
  for (const o of list) s += overlap(box, o);
  return s;
}

/**
 * The best position among the given sizes (widest first, each with the height it has at that width).
 * For every candidate row (the edges, then just above or below each obstacle) it takes the free x
 * nearest the preferred side; the winner covers the least hard area, then the least soft area,
 * then sits nearest an edge (or, given `near`, nearest that box: an escalated warning stays next
 * to its confirmation dialog) and is widest.
 */
export function place(view: Size, sizes: Size[], hard: Box[], soft: Box[] = [], near?: Box): Placement {
  const vw = view.width;
  const vh = view.height;
  let best: (Placement & { score: number }) | null = null;
  for (const [i, s] of sizes.entries()) {
    const w = Math.min(s.width, vw - 2 * MARGIN);
    const h = Math.min(s.height, vh - 2 * MARGIN);
    const ys = new Set<number>([MARGIN, vh - h - MARGIN]);
    for (const o of [...hard, ...soft]) {
      ys.add(o.bottom + MARGIN);
      ys.add(o.top - h - MARGIN);
    }
    for (const y0 of ys) {
      const y = Math.round(Math.max(MARGIN, Math.min(y0, vh - h - MARGIN)));
      const x = freeX(vw, w, y, h, hard, soft, near ? near.left : null);
      const box = { left: x, top: y, right: x + w, bottom: y + h };
      const hardArea = sum(box, hard);
      const softArea = sum(box, soft);
      const edge = near ? gap(box, near) : Math.min(y - MARGIN, vh - h - MARGIN - y);
      const score = hardArea * 1e6 + softArea * 10 + edge + i * 400;
      if (!best || score < best.score) best = { left: x, top: y, width: w, height: h, hard: hardArea, soft: softArea, score };
    }
  }
  const { score: _score, ...p } = best!;
  return p;
}

/** How far apart two boxes are (0 when they touch or overlap). */
function gap(a: Box, b: Box): number {
  const dx = Math.max(0, a.left - b.right, b.left - a.right);
  const dy = Math.max(0, a.top - b.bottom, b.top - a.bottom);
  return Math.hypot(dx, dy);
}

// The x in [MARGIN, vw - w - MARGIN] nearest the wanted x (default: the right edge) whose [x, x + w]
// meets no obstacle in the row [y, y + h] (hard and soft first, then hard only); the wanted x when
// none is free.
function freeX(vw: number, w: number, y: number, h: number, hard: Box[], soft: Box[], wantX: number | null): number {
  const lo = MARGIN;
  const hi = Math.max(MARGIN, vw - w - MARGIN);
  const want = wantX === null ? hi : Math.max(lo, Math.min(hi, Math.round(wantX)));
  for (const list of [[...hard, ...soft], hard]) {
    // Forbidden start positions: (o.left - w, o.right) for each obstacle in the row.
    const bad: [number, number][] = [];
    for (const o of list) if (o.bottom > y && o.top < y + h) bad.push([o.left - w, o.right]);
    bad.sort((a, b) => a[0] - b[0]);
    const free: [number, number][] = [];
    let cur = lo;
    for (const [a, b] of bad) {
      if (a > cur) free.push([cur, Math.min(a, hi)]);
      cur = Math.max(cur, b);
      if (cur > hi) break;
    }
    if (cur <= hi) free.push([cur, hi]);
    let bestX: number | null = null;
    for (const [a, b] of free) {
      if (a > b) continue;
      const x = Math.max(a, Math.min(want, b));
      if (bestX === null || Math.abs(x - want) < Math.abs(bestX - want)) bestX = x;
    }
    if (bestX !== null) return Math.round(bestX);
  }
  return want;
}
