import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { maskTargets } from '../../src/injected/mask';
import { RedactionLog } from '../../src/shared/redact';
import { attachClosed, closeAll, noMask, page, SECRETS, shadowOf } from './helpers';

after(closeAll);

const HTML = `<main>
  <p id="key">Key: ${SECRETS.proj}</p>
  <p id="email">Signed in as jane.example@example.com</p>
  <p id="phone">Phone +1 415 555 0100</p>
  <p id="plain">Improve the model for everyone</p>
  <input id="in-email" value="jane.example@example.com">
  <input id="in-phone" value="(415) 555-0100">
  <div id="host"></div>
</main>`;

function targets(opts: { maskEmails: boolean; maskPhones: boolean }): string[] {
  const { document } = page(HTML);
  attachClosed(document.getElementById('host')!, '<span>mail: shadow.user@example.org</span>');
  return maskTargets(document, shadowOf, new RedactionLog().secrets, opts).map((n) =>
    n.nodeType === 3 ? `text:${(n.parentNode as Element | ShadowRoot).nodeType === 11 ? 'shadow' : (n.parentNode as Element).id || (n.parentNode as Element).localName}` : `input:${(n as Element).id}`);
}

test('secrets are always covered on screen; emails and phones are not unless the user masks them', () => {
  assert.deepEqual(targets(noMask), ['text:key']);
});

test('"Mask email addresses" covers emails on screen (text, inputs, shadow DOM)', () => {
  assert.deepEqual(targets({ maskEmails: true, maskPhones: false }).sort(), ['input:in-email', 'text:key', 'text:span', 'text:email'].sort());
});

test('"Mask phone numbers" covers phone numbers on screen', () => {
  assert.deepEqual(targets({ maskEmails: false, maskPhones: true }).sort(), ['input:in-phone', 'text:key', 'text:phone'].sort());
});

test('fragments of a secret found elsewhere are covered', () => {
  const { document } = page(`<p id="a">${SECRETS.sk.slice(3, 20)}</p><p id="b">nothing here at all</p>`);
  const log = new RedactionLog();
  log.secrets.add(SECRETS.sk.slice(3));
  const got = maskTargets(document, shadowOf, log.secrets, noMask).map((n) => (n.parentNode as Element).id);
  assert.deepEqual(got, ['a']);
});

test('what is painted is covered: placeholders, the selected option, img alt, split keys, canvases, unreadable frames', () => {
  const body = SECRETS.proj.slice('sk-proj-'.length);
  const { document } = page(`<main>
    <input id="ph" placeholder="${SECRETS.sk}">
    <select id="sel"><option>none</option><option selected>${SECRETS.sess}</option></select>
    <select id="sel-plain"><option selected>${'x'.repeat(10)}</option><option>${SECRETS.sess}</option></select>
    <img id="alt" alt="${SECRETS.sk}" src="missing.png">
    <div id="s1">sk-proj-</div><div id="s2">${body}</div>
    <p id="br">sk-proj-${body.slice(0, 10)}<br>${body.slice(10)}</p>
    <table><tr><td id="c1">sk-proj-${body.slice(0, 6)}</td><td id="c2">${body.slice(6)}</td></tr></table>
    <span id="zw">sk-proj-${body.slice(0, 8)}\u200b${body.slice(8, 20)}\u00ad${body.slice(20)}</span>
    <canvas id="cv"></canvas>
    <iframe id="xo" src="https://other.example/"></iframe>
    <p id="plain">Improve the model for everyone</p>
  </main>`);
  const got = new Set(maskTargets(document, shadowOf, new RedactionLog().secrets, noMask).map((n) =>
    n.nodeType === 3 ? (n.parentNode as Element).id : (n as Element).id));
  for (const id of ['ph', 'sel', 'alt', 's2', 'br', 'c1', 'c2', 'zw', 'cv', 'xo']) assert.ok(got.has(id), `${id} not covered (got ${[...got]})`);
  for (const id of ['sel-plain', 'plain']) assert.ok(!got.has(id), `${id} covered`);
});
