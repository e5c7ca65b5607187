import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeDocument, OFFLINE_CSP } from '../../src/injected/sanitize';
import { redactText, RedactionLog } from '../../src/shared/redact';
import { flatText, tidyLines } from '../../src/injected/dom';
import { markOwnUi } from '../../src/shared/own-ui';
import { attachClosed, closeAll, noMask, page, SECRETS, shadowOf } from './helpers';

after(closeAll);

const HTML = `<!DOCTYPE html><html lang="en"><head>
<title>Account</title>
<meta http-equiv="refresh" content="5;url=https://evil.example/">
<base href="https://cdn.example/">
<link rel="stylesheet" href="https://cdn.example/app.css">
<link rel="preload" href="https://cdn.example/font.woff2" as="font">
<link rel="icon" href="/favicon.ico">
<style>body{background:url(https://cdn.example/bg.png)} @import url("https://cdn.example/more.css"); .ok{background:url(data:image/png;base64,AAAA)}</style>
<script>window.secret = 1</script>
<script src="https://cdn.example/app.js"></script>
</head><body onload="boot()">
<noscript><img src="https://tracker.example/pixel.gif"></noscript>
<a href="javascript:alert(1)" onclick="steal()">x</a>
<a id="tab-js" href="java&#9;script:alert(2)">y</a>
<a href="/settings">settings</a>
<img src="https://cdn.example/avatar.png" srcset="https://cdn.example/a2.png 2x" width="32" height="32" alt="avatar">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">
<div style="background-image:url('https://cdn.example/x.png');color:red">styled</div>
<svg><use href="https://cdn.example/sprite.svg#icon"></use><use href="#local"></use></svg>
<video src="https://cdn.example/v.mp4" poster="https://cdn.example/p.jpg"></video>
<object data="https://cdn.example/x.swf"></object>
<iframe src="https://other.example/embed"></iframe>
<form action="/save">
 <input id="name" name="name" value="old">
 <input id="pw" type="password" name="password" value="">
 <input id="cb" type="checkbox" checked>
 <input id="cb2" type="checkbox">
 <input id="r1" type="radio" name="plan" value="free">
 <input id="r2" type="radio" name="plan" value="plus" checked>
 <select id="sel"><option value="a" selected>A</option><option value="b">B</option></select>
 <textarea id="ta">initial</textarea>
 <input type="hidden" name="csrf" value="q8Xz2LmP0vN7bR4tY6wK1cJ9hF3sD5gA">
</form>
<div id="open-host"><span slot="s">light child</span></div>
<div id="closed-host"></div>
<div data-ringfence-ui="banner">page content posing as ours</div>
<ringfence-warning>page element named like our banner</ringfence-warning>
<div id="ours">banner we drew</div>
<p>key: ${SECRETS.proj}</p>
</body></html>`;

function run() {
  const { window, document } = page(HTML, 'https://chatgpt.com/#settings/Account');
  // Live state that differs from the markup: the serializer must write what the user sees.
  (document.getElementById('name') as HTMLInputElement).value = 'Jane typed this';
  (document.getElementById('pw') as HTMLInputElement).value = 'hunter2-password';
  (document.getElementById('cb') as HTMLInputElement).checked = false;
  (document.getElementById('cb2') as HTMLInputElement).checked = true;
  (document.getElementById('r1') as HTMLInputElement).checked = true;
  (document.getElementById('sel') as HTMLSelectElement).value = 'b';
  (document.getElementById('ta') as HTMLTextAreaElement).value = 'typed <text> & more';
  const open = document.getElementById('open-host')!.attachShadow({ mode: 'open' });
  open.innerHTML = '<style>p{color:blue}</style><p>open shadow text</p><slot name="s"></slot><input id="in-shadow" type="checkbox">';
  (open.getElementById('in-shadow') as HTMLInputElement).checked = true;
  const closed = attachClosed(document.getElementById('closed-host')!, '<p>closed shadow text</p><button onclick="x()">Delete account</button>');
  attachClosed(closed.querySelector('p')!, '<b>nested closed</b><slot></slot>');
  markOwnUi(document.getElementById('ours')!);
  const log = new RedactionLog();
  const { html, stats } = sanitizeDocument(document, { shadowOf, log, redact: noMask });
  return { html: redactText(html, 'dom.html', log, noMask), stats, log, window };
}

test('scripts, handlers, refresh and base are removed', () => {
  const { html } = run();
  assert.ok(!/<script/i.test(html), 'script element left');
  assert.ok(!/\son[a-z]+=/i.test(html), 'event handler left');
  assert.ok(!html.includes('javascript:') && !html.includes('script:alert(2)'), 'javascript: URL left');
  assert.match(html, /<a id="tab-js" href="#">/);
  assert.ok(!html.includes('window.secret'));
  assert.ok(!/http-equiv="refresh"/i.test(html) && !/<base/i.test(html));
  assert.ok(!html.includes('banner we drew'), 'Ringfence UI must not be captured');
});

test('only elements the extension created are left out: names and attributes a page can forge are captured', () => {
  const { html, window } = run();
  assert.ok(html.includes('page content posing as ours'), 'a page element with data-ringfence-ui is evidence');
  assert.ok(html.includes('page element named like our banner'), 'a page element named ringfence-warning is evidence');
  const text = flatText(window.document.body as unknown as Node, shadowOf);
  assert.ok(text.includes('page content posing as ours') && text.includes('page element named like our banner'), text);
  assert.ok(!text.includes('banner we drew'), text);
});

test('form state is written into the markup and passwords are dropped', () => {
  const { html, window } = run();
  assert.ok(!html.includes('hunter2-password'));
  assert.match(html, /id="pw" type="password" name="password" data-ringfence-password="dropped"/);
  const d = new window.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
  assert.equal(d.getElementById('name')!.getAttribute('value'), 'Jane typed this');
  assert.equal(d.getElementById('cb')!.hasAttribute('checked'), false);
  assert.equal(d.getElementById('cb2')!.hasAttribute('checked'), true);
  assert.equal(d.getElementById('r1')!.hasAttribute('checked'), true);
  assert.equal(d.getElementById('r2')!.hasAttribute('checked'), false);
  assert.equal(d.querySelector('#sel option[value=b]')!.hasAttribute('selected'), true);
  assert.equal(d.querySelector('#sel option[value=a]')!.hasAttribute('selected'), false);
  assert.equal(d.getElementById('ta')!.textContent, 'typed <text> & more');
  assert.ok(!html.includes('q8Xz2LmP0vN7bR4tY6wK1cJ9hF3sD5gA'), 'hidden token kept');
});

test('open and closed shadow roots become declarative shadow DOM', () => {
  const { html, stats } = run();
  assert.equal(stats.shadowRoots, 3);
  assert.match(html, /<div id="open-host"><template shadowrootmode="open"><style>p ?\{ ?color: ?blue;? ?\}<\/style><p>open shadow text<\/p><slot name="s"><\/slot><input id="in-shadow" type="checkbox" checked=""><\/template><span slot="s">light child<\/span><\/div>/);
  assert.match(html, /<div id="closed-host"><template shadowrootmode="closed"><p><template shadowrootmode="closed"><b>nested closed<\/b><slot><\/slot><\/template>closed shadow text<\/p><button>Delete account<\/button><\/template><\/div>/);
});

test('renders offline: CSP first in head, no remote reference left to fetch', () => {
  const { html, window } = run();
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"'));
  assert.ok(html.includes(OFFLINE_CSP.replace(/'/g, "'")));
  const d = new window.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
  const fetching: string[] = [];
  const all = [d.documentElement, ...Array.from(d.querySelectorAll('*'))];
  for (const el of all) {
    for (const a of ['src', 'srcset', 'poster', 'data', 'background']) {
      const v = el.getAttribute(a);
      if (v && !v.startsWith('data:')) fetching.push(`${el.localName}[${a}]=${v}`);
    }
    if (el.localName === 'link') fetching.push(`link ${el.getAttribute('href')}`);
    const href = el.getAttribute('href');
    if (href && el.namespaceURI === 'http://www.w3.org/2000/svg' && !href.startsWith('#')) fetching.push(`svg href ${href}`);
  }
  assert.deepEqual(fetching, []);
  const css = Array.from(d.querySelectorAll('style')).map((s) => s.textContent).join('\n')
    + all.map((e) => e.getAttribute('style') ?? '').join('\n');
  assert.ok(!/url\(\s*['"]?https?:/i.test(css), css);
  assert.ok(!/@import/i.test(css));
  assert.ok(css.includes('url(data:image/png;base64,AAAA)'), 'data: URLs stay');
  // Remote references are kept as evidence in inert attributes.
  assert.match(html, /data-ringfence-src="https:\/\/cdn\.example\/avatar\.png"/);
  assert.match(html, /<a href="https:\/\/cdn\.example\/settings">/);
  assert.match(html, /<iframe data-ringfence-src="https:\/\/other\.example\/embed" sandbox="allow-same-origin" srcdoc="[^"]*cross-origin frame not captured/);
  assert.ok(!/<object/i.test(html));
});

test('same-origin iframes are inlined as srcdoc', () => {
  const { document } = page('<!DOCTYPE html><html><head></head><body><iframe id="f" src="/frame"></iframe></body></html>', 'https://platform.openai.com/');
  // happy-dom does not load frames: give the iframe a same-origin document of its own.
  const inner = page(`<!DOCTYPE html><html><head></head><body><p>inside frame</p><script>x()</script><input id="k" name="api_key" value="${SECRETS.sk}"></body></html>`,
    'https://platform.openai.com/frame').document;
  Object.defineProperty(document.getElementById('f')!, 'contentDocument', { value: inner });
  const log = new RedactionLog();
  const html = redactText(sanitizeDocument(document, { shadowOf, log, redact: noMask }).html, 'dom.html', log, noMask);
  assert.match(html, /<iframe id="f" data-ringfence-src="https:\/\/platform\.openai\.com\/frame" sandbox="allow-same-origin" srcdoc="<!DOCTYPE html>\n<html><head><meta charset=&quot;utf-8&quot;>/);
  assert.ok(html.includes('inside frame'));
  assert.ok(!html.includes('x()'));
  assert.ok(!html.includes(SECRETS.sk));
});

test('the planted secret in page text is redacted in the DOM', () => {
  const { html, log } = run();
  assert.ok(!html.includes(SECRETS.proj));
  assert.ok(html.includes('key: sk-proj-[REDACTED]'));
  assert.ok(log.entries().some((e) => e.rule === 'openai_key' && e.artifact === 'dom.html'));
});

test('a 50 000-node page serializes', () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => `<div class="r"><span>row ${i}</span><b>${i}</b><i>x</i><input type="checkbox"></div>`).join('');
  const { document } = page(`<!DOCTYPE html><html><head></head><body>${rows}</body></html>`);
  const { html, stats } = sanitizeDocument(document, { shadowOf, log: new RedactionLog(), redact: noMask });
  assert.ok(stats.elements >= 50_000, String(stats.elements));
  assert.ok(html.includes('row 9999'));
});

// tidyLines works on the whole text at once; this is its line-by-line definition.
test('tidyLines agrees with its line-by-line definition on random input', () => {
  const byLine = (s: string) => s.split('\n').map((l) => l.replace(/[ \t]+$/g, '').replace(/^ +/, ''))
    .filter((l, i, a) => l || (i > 0 && a[i - 1])).join('\n').trim() + '\n';
  const alphabet = ['a', 'b', ' ', ' ', '\n', '\n', '\t', '\r', '\u00A0', 'x y'];
  let seed = 11;
  // The high bits: an LCG's low bits repeat with a short period.
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 16) % n; };
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    for (let j = rnd(25); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    assert.equal(tidyLines(s), byLine(s), JSON.stringify(s));
  }
  // A long blank run costs one scan, not one per character.
  assert.equal(tidyLines(`${' \t'.repeat(200_000)}x`), 'x\n');
});
