import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectBodies, receiveBodiesPart } from '../src/background/bodies';
import { BODIES_MESSAGE, type BodiesPart, type BodyName } from '../src/shared/page-api';

const enc = new TextEncoder();
const part = (token: string, name: BodyName, fields: Partial<BodiesPart>): BodiesPart =>
  ({ type: BODIES_MESSAGE, token, name, offset: 0, size: 0, ...fields });

test('bodies arrive as Blobs (Chromium) or byte parts, and resolve once every byte is there', async () => {
  const d = expectBodies('t1', 7, 5_000);
  const dom = enc.encode('<p>grüße</p>');
  const text = enc.encode('x'.repeat(10));
  assert.equal(receiveBodiesPart(part('t1', 'dom.html', { size: dom.length, blob: new Blob([dom]) }), 7), true);
  // Byte parts of another body, in two pieces.
  assert.equal(receiveBodiesPart(part('t1', 'text.txt', { size: 10, offset: 0, bytes: text.slice(0, 4) }), 7), true);
  assert.equal(receiveBodiesPart(part('t1', 'text.txt', { size: 10, offset: 4, bytes: text.slice(4) }), 7), true);
  d.sizes({ 'dom.html': dom.length, 'text.txt': 10, 'settings.json': 0 });
  const got = await d.bodies;
  assert.deepEqual(got['dom.html'], dom);
  assert.deepEqual(got['text.txt'], text);
  assert.equal(got['settings.json'].length, 0);
});

test('a Blob whose size is not the declared one, or a second Blob of a body, fails the capture', async () => {
  const d = expectBodies('t2', 7, 5_000);
  assert.equal(receiveBodiesPart(part('t2', 'dom.html', { size: 5, blob: new Blob(['four']) }), 7), false);
  await assert.rejects(d.bodies, /malformed part of dom.html/);

  const e = expectBodies('t3', 7, 5_000);
  assert.equal(receiveBodiesPart(part('t3', 'dom.html', { size: 4, blob: new Blob(['four']) }), 7), true);
  assert.equal(receiveBodiesPart(part('t3', 'dom.html', { size: 4, blob: new Blob(['fake']) }), 7), false);
  await assert.rejects(e.bodies, /malformed part of dom.html/);
});

test('parts for another tab or an unknown token are refused and change nothing', async () => {
  const d = expectBodies('t4', 7, 5_000);
  assert.equal(receiveBodiesPart(part('t4', 'dom.html', { size: 4, blob: new Blob(['evil']) }), 8), false);
  assert.equal(receiveBodiesPart(part('nope', 'dom.html', { size: 4, blob: new Blob(['evil']) }), 7), false);
  assert.equal(receiveBodiesPart(part('t4', 'dom.html', { size: 4, blob: new Blob(['good']) }), 7), true);
  d.sizes({ 'dom.html': 4, 'text.txt': 0, 'settings.json': 0 });
  assert.equal(new TextDecoder().decode((await d.bodies)['dom.html']), 'good');
});
