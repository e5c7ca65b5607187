import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../src/shared/utf8';

// utf8 must give exactly TextEncoder.encode's bytes, whatever the string: it only changes how the
// buffer is sized.
test('utf8 equals TextEncoder.encode for ASCII, Latin-1, BMP, astral and lone surrogates', () => {
  const enc = new TextEncoder();
  const cases = ['', 'a', 'plain ASCII <html>', 'café', 'Grüße, 日本語', 'emoji 😀 at the end 😀', '\ud800 lone high',
    'lone low \udc00', 'x'.repeat(70_000) + 'é', '日'.repeat(1000), '😀'.repeat(500)];
  // Random strings over every range, the wide character anywhere (first, middle, last).
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const pools = [[0x20, 0x7e], [0x80, 0xff], [0x100, 0x7ff], [0x800, 0xffff], [0xd800, 0xdfff]];
  for (let i = 0; i < 300; i++) {
    let s = '';
    const len = rnd(200);
    for (let j = 0; j < len; j++) {
      const [lo, hi] = pools[rnd(10) < 7 ? 0 : rnd(pools.length)];
      s += String.fromCharCode(lo + rnd(hi - lo + 1));
    }
    cases.push(s);
  }
  for (const s of cases) {
    const got = utf8(s);
    assert.deepEqual(got, enc.encode(s), JSON.stringify(s.slice(0, 40)));
    assert.equal(got.buffer.byteLength, got.length, 'the bytes own their buffer exactly (a clone copies the whole buffer)');
  }
});
