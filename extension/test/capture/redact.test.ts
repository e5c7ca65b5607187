import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INVISIBLE, joinedView, looksHighEntropy, MARK, redactFieldValue, redactJoined, redactText, RedactionLog, scrubFragments } from '../../src/shared/redact';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { noMask, SECRETS } from './helpers';

test('planted keys and tokens are replaced by a marker keeping only the visible prefix', () => {
  const log = new RedactionLog();
  const input = [
    `key ${SECRETS.sk} here`,
    `project key: ${SECRETS.proj}`,
    `cookie __Secure-next-auth.session-token=x; ${SECRETS.sess}`,
    `Authorization: ${SECRETS.bearer}`,
    `token=${SECRETS.jwt}`,
  ].join('\n');
  const out = redactText(input, 'text.txt', log, noMask);
  for (const s of Object.values(SECRETS)) assert.ok(!out.includes(s), `leaked ${s}`);
  assert.match(out, /key sk-\[REDACTED\] here/);
  assert.match(out, /project key: sk-proj-\[REDACTED\]/);
  assert.match(out, /sess-\[REDACTED\]/);
  assert.match(out, /Authorization: Bearer \[REDACTED\]/);
  assert.match(out, /eyJ\[REDACTED\]/);
  const rules = Object.fromEntries(log.entries().map((e) => [e.rule, e.count]));
  assert.deepEqual(rules, { openai_key: 2, session_token: 1, bearer: 1, jwt: 1 });
  assert.ok(log.entries().every((e) => e.artifact === 'text.txt'));
});

test('redaction is idempotent and leaves masked display keys and ordinary words alone', () => {
  const log = new RedactionLog();
  const benign = 'sk-...Xq2w sk-proj-...9fLm task-management-settings-overview-page sk-button-primary-large-variant Bearer of bad news';
  assert.equal(redactText(benign, 'dom.html', log, noMask), benign);
  const once = redactText(`a ${SECRETS.proj} b`, 'dom.html', log, noMask);
  assert.equal(redactText(once, 'dom.html', log, noMask), once);
  assert.equal(log.entries().reduce((n, e) => n + e.count, 0), 1);
});

test('URL credentials are redacted', () => {
  const log = new RedactionLog();
  const out = redactText('https://x.example/cb?code=Ab12Cd34Ef56Gh78Ij90&state=1', 'dom.html', log, noMask);
  assert.equal(out, `https://x.example/cb?code=${MARK}&state=1`);
});

test('emails and phones are kept by default and masked on request', () => {
  const text = 'Email jane.example@example.com phone +1 415 555 0100, updated 2026-11-30';
  assert.equal(redactText(text, 'text.txt', new RedactionLog(), noMask), text);
  const log = new RedactionLog();
  const out = redactText(text, 'text.txt', log, { maskEmails: true, maskPhones: true });
  assert.equal(out, 'Email j***@example.com phone ***00, updated 2026-11-30');
  assert.deepEqual(log.entries().map((e) => e.rule).sort(), ['email', 'phone']);
});

test('long high-entropy values are redacted only in credential-like fields', () => {
  const tok = 'q8Xz2LmP0vN7bR4tY6wK1cJ9hF3sD5gA';
  assert.ok(looksHighEntropy(tok));
  assert.ok(!looksHighEntropy('this-is-a-perfectly-normal-slug-value'));
  const log = new RedactionLog();
  assert.equal(redactFieldValue(tok, 'csrf_token', 'dom.html', log, noMask), MARK);
  assert.equal(redactFieldValue(tok, 'display name', 'dom.html', log, noMask), tok);
  assert.deepEqual(log.entries(), [{ rule: 'high_entropy', artifact: 'dom.html', count: 1 }]);
});

test('fragments of a secret split across nodes are scrubbed', () => {
  const log = new RedactionLog();
  redactText(`joined ${SECRETS.proj}`, 'text.txt', log, noMask);
  const body = SECRETS.proj.slice('sk-proj-'.length);
  const html = `<span>sk-proj-</span><span>${body.slice(0, 20)}</span><b>${body.slice(20)}</b>`;
  const out = scrubFragments(html, 'dom.html', log);
  assert.ok(!out.includes(body.slice(0, 20)) && !out.includes(body.slice(20)), out);
  assert.ok(log.entries().some((e) => e.rule === 'fragment' && e.artifact === 'dom.html'));
});

test('US phone numbers with the area code in parentheses are masked; short numbers and dates are not', () => {
  const log = new RedactionLog();
  const out = redactText('call (415) 555-0100 or 555-0100 before 2026-11-30 or 1234 5678', 'text.txt', log, { maskEmails: false, maskPhones: true });
  assert.equal(out, 'call ***00 or 555-0100 before 2026-11-30 or 1234 5678');
});

// docs/snapshot.md states the fragment guarantee as a number; it must be exactly what the code does:
// every run of that length is scrubbed wherever it sits in the secret, and some shorter run is not.
test('the fragment guarantee in docs/snapshot.md is exact', () => {
  const doc = readFileSync(path.join(process.env.RF_EXT_ROOT ?? process.cwd(), '..', 'docs', 'snapshot.md'), 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('| `fragment` |'));
  const n = Number(/run of \*\*≥ (\d+) characters\*\*/.exec(row ?? '')?.[1]);
  assert.ok(n > 0, `no "run of **≥ N characters**" in the fragment row: ${row}`);
  const secret = SECRETS.proj.slice('sk-proj-'.length);
  const survives = (len: number): boolean => {
    for (let at = 0; at + len <= secret.length; at++) {
      const log = new RedactionLog();
      log.secrets.add(secret);
      const piece = secret.slice(at, at + len);
      if (scrubFragments(`<b>${piece}</b>`, 'dom.html', log).includes(piece)) return true;
    }
    return false;
  };
  assert.equal(survives(n), false, `a run of ${n} characters survived`);
  assert.equal(survives(n - 1), true, `every run of ${n - 1} characters is scrubbed too: the doc understates the guarantee`);
});

test('keys split across elements, <br>, table cells, zero-width characters and soft hyphens are redacted', () => {
  const key = 'sk-proj-Ab3dEf9hIj2kLmN0pQrStUvWxYz1234567890';
  const body = key.slice('sk-proj-'.length);
  const cases: [string, 'text' | 'html'][] = [
    [`<div>Your key</div><div>sk-proj-</div><div>${body}</div>`, 'html'],
    [`<p>sk-proj-${body.slice(0, 10)}<br>${body.slice(10)}</p>`, 'html'],
    [`<p>sk-proj-${body.slice(0, 22)}<br>${body.slice(22)}</p>`, 'html'], // the first piece matches alone
    [`<table><tr><td>sk-proj-${body.slice(0, 6)}</td>\n  <td>${body.slice(6)}</td></tr></table>`, 'html'],
    [`<span>sk-proj-${body.slice(0, 8)}\u200b${body.slice(8, 20)}\u00ad${body.slice(20)}</span>`, 'html'],
    [`Secret key\nsk-proj-\n${body}\nCreated today\n`, 'text'],
    [`sk-proj-${body.slice(0, 5)}\t${body.slice(5)}\n`, 'text'],
    [`key: sk-proj-${body.slice(0, 9)}\u200b\u200c${body.slice(9)} end`, 'text'],
  ];
  for (const [input, mode] of cases) {
    const log = new RedactionLog();
    const out = redactText(redactJoined(input, 'x', log, mode), 'x', log, noMask);
    const visible = out.replace(/<[^>]*>/g, '').replace(/[\s\u200b\u200c\u00ad]/g, '');
    for (let i = 0; i + 6 <= body.length; i++) {
      assert.ok(!visible.includes(body.slice(i, i + 6)), `${JSON.stringify(input)} → ${JSON.stringify(out)} keeps ${body.slice(i, i + 6)}`);
    }
    assert.ok(out.includes(MARK), out);
    if (mode === 'html') assert.equal(out.match(/<[^>]*>/g)?.join(''), input.match(/<[^>]*>/g)?.join(''), 'markup kept');
    assert.ok([...log.secrets].some((s) => s.includes(body)), 'the joined key is learned for fragment scrubbing');
  }
  // Ordinary text across blocks is left alone.
  const log = new RedactionLog();
  const plain = '<div>API keys</div><div>sk-button-primary-large-outline</div><p>Created 2026-11-30 by Admin</p>';
  assert.equal(redactJoined(plain, 'x', log, 'html'), plain);
});

// joinedView copies plain text a run at a time; this is the one-character-at-a-time definition it
// must agree with on any input.
function joinedViewByChar(text: string, mode: 'text' | 'html'): { view: string; at: number[] } {
  const view: string[] = [];
  const at: number[] = [];
  const boundary = (from: number): void => {
    if (/^(?:sk-|sess-|eyJ|Bearer\s)/.test(text.slice(from, from + 7)) && view.length > 0 && view[view.length - 1] !== '\u0001') {
      view.push('\u0001');
      at.push(from - 1);
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (mode === 'html' && c === '<') {
      const j = text.indexOf('>', i);
      i = j < 0 ? text.length : j + 1;
      boundary(i);
    } else if (INVISIBLE.test(c)) {
      i++;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < text.length && /\s/.test(text[j]) && !INVISIBLE.test(text[j])) j++;
      if (/[\n\t\r]/.test(text.slice(i, j))) {
        i = j;
        boundary(i);
      } else {
        for (; i < j; i++) { view.push(text[i]); at.push(i); }
      }
    } else {
      view.push(c);
      at.push(i);
      i++;
    }
  }
  return { view: view.join(''), at };
}

test('joinedView agrees with its one-character-at-a-time definition on random input', () => {
  const alphabet = ['a', 'Z', '9', '-', ' ', '  ', '\n', '\t', '\r', ' \n ', '\u200b', '\u00ad', '\ufeff', '\u00a0', '\u3000',
    '<', '>', '<br>', '</div>', 'sk-', 'sk-proj-', 'sess-', 'eyJ', 'Bearer ', 'é', '😀', '<p class="x">', '\u034f', '\u2003'];
  let seed = 7;
  // The high bits: an LCG's low bits repeat with a short period.
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return (seed >>> 12) % n; };
  for (let run = 0; run < 20_000; run++) {
    let text = '';
    const len = rnd(40);
    for (let k = 0; k < len; k++) text += alphabet[rnd(alphabet.length)];
    for (const mode of ['text', 'html'] as const) {
      const want = joinedViewByChar(text, mode);
      const got = joinedView(text, mode);
      assert.equal(got.view, want.view, `${mode} ${JSON.stringify(text)}`);
      assert.deepEqual(Array.from({ length: got.view.length }, (_, v) => got.at(v)), want.at, `${mode} ${JSON.stringify(text)}`);
    }
  }
});

test('credential parameters in queries and fragments go at any length', () => {
  const log = new RedactionLog();
  const out = redactText('https://a/cb?client_secret=hunter2&password=pw&x=1#access_token=t0k&code=Qz81abcd', 'meta', log, noMask);
  for (const s of ['hunter2', '=pw&', 't0k', 'Qz81abcd']) assert.ok(!out.includes(s), `${s} in ${out}`);
  assert.ok(out.includes('x=1'));
});
