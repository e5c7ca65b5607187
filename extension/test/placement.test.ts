// Banner placement (src/content/placement.ts): never over a hard obstacle when there is room,
// docked at an edge when the edge is free, narrower before covering anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { place, MARGIN, type Box } from '../src/content/placement';

const view = { width: 1366, height: 768 };
const bar = [{ width: 700, height: 44 }, { width: 500, height: 44 }];
const hits = (p: { left: number; top: number; width: number; height: number }, list: Box[]): Box[] => list.filter((o) =>
  Math.min(p.left + p.width, o.right) > Math.max(p.left, o.left) && Math.min(p.top + p.height, o.bottom) > Math.max(p.top, o.top));

test('an empty page: docked at the top edge, at the preferred width', () => {
  const p = place(view, bar, []);
  assert.equal(p.top, MARGIN);
  assert.equal(p.width, 700);
  assert.equal(p.left + p.width, view.width - MARGIN);
});

test('a top navigation full of links: docked at the bottom instead', () => {
  const nav: Box[] = Array.from({ length: 10 }, (_, i) => ({ left: i * 136, top: 0, right: i * 136 + 120, bottom: 56 }));
  const p = place(view, bar, nav);
  assert.deepEqual(hits(p, nav), []);
  assert.equal(p.top + p.height, view.height - MARGIN);
});

test('controls along both edges: the bar finds the free band in between', () => {
  const hard: Box[] = [{ left: 0, top: 0, right: 1366, bottom: 60 }, { left: 0, top: 700, right: 1366, bottom: 768 },
    { left: 400, top: 200, right: 960, bottom: 600 }];
  const p = place(view, bar, hard);
  assert.deepEqual(hits(p, hard), []);
  assert.equal(p.hard, 0);
});

test('a dialog in the middle: the bar avoids it when it can, and narrows before covering a control', () => {
  const dialog: Box = { left: 300, top: 60, right: 1066, bottom: 740 };
  const title: Box = { left: 320, top: 70, right: 600, bottom: 100 };
  const p = place({ width: 1024, height: 768 }, bar, [title], [dialog]);
  assert.equal(p.hard, 0);
  const narrow = place({ width: 1024, height: 768 }, bar, [{ left: 0, top: 0, right: 1024, bottom: 700 }, { left: 0, top: 740, right: 400, bottom: 768 }]);
  assert.equal(narrow.hard, 0, JSON.stringify(narrow));
  assert.equal(narrow.width, 500);
});

test('no room at all: the least covered place, inside the viewport', () => {
  const all: Box[] = [{ left: 0, top: 0, right: 1366, bottom: 768 }];
  const p = place(view, bar, all);
  assert.ok(p.hard > 0);
  assert.ok(p.left >= MARGIN && p.top >= MARGIN && p.left + p.width <= view.width - MARGIN + 1 && p.top + p.height <= view.height);
});
