import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qpDecode, qpEncode, redactMhtml } from '../../src/background/mhtml';
import { RedactionLog } from '../../src/shared/redact';
import { noMask, SECRETS } from './helpers';

const enc = new TextEncoder();
const dec = new TextDecoder();

test('quoted-printable round trip', () => {
  const s = `héllo = wörld\r\n${'x'.repeat(200)} \r\nend`;
  assert.equal(dec.decode(qpDecode(qpEncode(enc.encode(s)))), s);
  assert.ok(qpEncode(enc.encode('y'.repeat(300))).split('\r\n').every((l) => l.length <= 76));
});

test('secrets split by quoted-printable soft breaks are redacted; images untouched', () => {
  const html = `<p>${"x".repeat(60)} key ${SECRETS.proj}</p><span>sk-proj-</span><span>${SECRETS.proj.slice(8)}</span>`;
  const qp = qpEncode(enc.encode(html));
  assert.ok(!qp.includes(SECRETS.proj), 'the fixture must split the key across lines');
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';
  const mhtml = [
    'From: <Saved by Blink>',
    `Snapshot-Content-Location: https://platform.openai.com/api-keys?token=${SECRETS.sess.slice(5)}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--abc----"',
    '',
    '------MultipartBoundary--abc----',
    'Content-Type: text/html',
    'Content-ID: <frame-1@mhtml.blink>',
    'Content-Transfer-Encoding: quoted-printable',
    'Content-Location: https://platform.openai.com/api-keys',
    '',
    qp,
    '------MultipartBoundary--abc----',
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    'Content-Location: https://cdn.example/x.png',
    '',
    png,
    '',
    '------MultipartBoundary--abc------',
    '',
  ].join('\r\n');
  const log = new RedactionLog();
  const out = dec.decode(redactMhtml(enc.encode(mhtml), log, noMask));
  const htmlPart = out.split('------MultipartBoundary--abc----')[1];
  const body = dec.decode(qpDecode(htmlPart.slice(htmlPart.indexOf('\r\n\r\n') + 4)));
  assert.ok(!body.includes(SECRETS.proj.slice(8, 30)) && !body.includes(SECRETS.proj.slice(30)), body);
  assert.ok(body.includes('key sk-proj-[REDACTED]'));
  assert.ok(!out.includes(SECRETS.sess.slice(5)));
  assert.ok(out.includes(png), 'binary parts are kept as they are');
  assert.ok(out.endsWith('------MultipartBoundary--abc------\r\n'));
  assert.ok(log.entries().every((e) => e.artifact === 'page.mhtml'));
});
