// Rule matching on fixture DOMs: every rule in every language, realistic page fixtures in several
// languages, and the pages that must not warn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULES, detect, summary } from './helpers';
import { compileRules, rulesForLocation } from '../src/content/rules/match';
import type { Rule } from '../src/shared/rules/types';
import * as F from './fixtures';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

// A URL each rule's route gate accepts.
const URLS: Record<string, string> = {
  'chatgpt.delete-account': 'https://chatgpt.com/#settings/Account',
  'chatgpt.data-controls.delete-account': 'https://chatgpt.com/c/123#settings/DataControls',
  'privacy.delete-account-request': 'https://privacy.openai.com/policies?modal=take-control',
  'platform.revoke-key': 'https://platform.openai.com/api-keys',
  'platform.archive-project': 'https://platform.openai.com/settings/proj_abc123/general',
  'platform.organization': 'https://platform.openai.com/settings/organization/general',
  'sora.delete-account': 'https://sora.chatgpt.com/settings',
  'auth.account-deleted': 'https://auth.openai.com/log-in',
};

test('every rule has a test URL that passes its route gate', () => {
  const set = compileRules(RULES);
  for (const r of RULES.rules) {
    const url = new URL(URLS[r.id]);
    assert.ok(rulesForLocation(set, url).some((c) => c.rule.id === r.id), `${r.id} gate rejects ${url}`);
  }
});

function controlHTML(r: Rule, ci: number, lang: string, li: number): string {
  const c = r.controls![ci];
  const label = c.text[lang as 'en']![li];
  const tag = c.roles[0] === 'button' ? `<button type="button">${esc(label)}</button>`
    : c.roles[0] === 'link' ? `<a href="#x">${esc(label)}</a>` : `<div role="${c.roles[0]}">${esc(label)}</div>`;
  const ctx = c.context?.[lang as 'en']?.[0];
  const row = `<section><div class="row"><div class="label">${ctx ? esc(ctx) : 'Setting'}</div>${tag}</div></section>`;
  return c.scope === 'dialog' ? `<main><div role="dialog" aria-modal="true">${row}</div></main>` : `<main>${row}</main>`;
}

for (const r of RULES.rules) {
  test(`${r.id}: every control label in every language matches on its route`, () => {
    (r.controls ?? []).forEach((c, ci) => {
      for (const lang of RULES.languages) {
        (c.text[lang] ?? []).forEach((_, li) => {
          const ms = detect(URLS[r.id], controlHTML(r, ci, lang, li));
          assert.ok(ms.some((m) => m.rule.id === r.id && m.level !== 'page'),
            `${r.id} control ${ci} ${lang}[${li}] did not match: ${summary(ms)}`);
        });
      }
    });
  });
  if (r.dialogs?.length) {
    test(`${r.id}: every dialog phrase in every language escalates`, () => {
      const inputs = (r.confirm ?? []).map((k) => k.kind === 'email'
        ? '<label>Email<input type="email"></label>' : `<p>Type ${k.words[0]} to confirm</p><input type="text">`).join('');
      for (const d of r.dialogs!) for (const lang of RULES.languages) for (const phrase of d.text[lang] ?? []) {
        const ms = detect(URLS[r.id], `<div role="dialog"><h2>${esc(phrase)}</h2><p>…</p>${inputs}</div>`);
        assert.ok(ms.some((m) => m.rule.id === r.id && m.level === 'dialog'), `${r.id} ${lang} "${phrase}": ${summary(ms)}`);
      }
    });
  }
  if (r.pageText) {
    test(`${r.id}: the page text in every language is recognised`, () => {
      for (const lang of RULES.languages) for (const phrase of r.pageText![lang] ?? []) {
        const ms = detect(URLS[r.id], `<main><h1>Oops!</h1><p>${esc(phrase)}.</p><a href="/">Try again</a></main>`);
        assert.deepEqual(summary(ms), [`${r.id}:page`], `${lang}: ${phrase}`);
      }
    });
  }
}

test('ChatGPT controls count only inside its settings dialog', () => {
  const html = '<main><div class="row"><div>Delete account</div><button>Delete</button></div><button>Delete account</button></main>';
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', html)), []);
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', `<div role="dialog">${html}</div>`)), ['chatgpt.delete-account:control']);
});

test('a bare "Delete" needs its row label: the "Delete all chats" row never warns', () => {
  for (const lang of RULES.languages) {
    const del = RULES.rules[0].controls![1].text[lang]![0];
    for (const benign of RULES.benign[lang]!) {
      const html = `<div role="dialog"><div class="row"><div>${esc(benign)}</div><button>${esc(del)}</button></div>`
        + `<div class="row"><div>${esc(benign)}</div><button>${esc(benign)}</button></div></div>`;
      for (const url of ['https://chatgpt.com/#settings/DataControls', 'https://chatgpt.com/#settings/Account']) {
        assert.deepEqual(summary(detect(url, html)), [], `${lang} ${benign} on ${url}`);
      }
    }
  }
});

test('benign labels never warn, on any route of any rule', () => {
  for (const r of RULES.rules) for (const lang of RULES.languages) {
    const html = RULES.benign[lang]!.map((b) => `<button>${esc(b)}</button><div role="menuitem">${esc(b)}</div>`).join('');
    assert.deepEqual(summary(detect(URLS[r.id], html)), [], `${r.id} ${lang}`);
  }
});

test('realistic pages in several languages', () => {
  const cases: [string, string, string[]][] = [
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('en'), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('de'), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('ja'), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('fr'), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('en') + F.chatgptConfirm('en'), ['chatgpt.delete-account:dialog']],
    ['https://chatgpt.com/#settings/Account', F.chatgptAccount('de') + F.chatgptConfirm('de'), ['chatgpt.delete-account:dialog']],
    ['https://chatgpt.com/#settings/DataControls', F.chatgptDataControls('en', false), []],
    ['https://chatgpt.com/#settings/DataControls', F.chatgptDataControls('en', true), ['chatgpt.data-controls.delete-account:control']],
    ['https://chatgpt.com/#settings/DataControls', F.chatgptDataControls('es', true), ['chatgpt.data-controls.delete-account:control']],
    ['https://chatgpt.com/c/6750a', F.chatgptChat('en'), []],
    ['https://chatgpt.com/', F.chatgptChat('de') + F.chatgptAccount('de'), []],
    ['https://chatgpt.com/#settings/General', F.chatgptAccount('en'), []],
    ['https://privacy.openai.com/policies', F.privacyPortal('en', false), ['privacy.delete-account-request:control']],
    ['https://privacy.openai.com/policies', F.privacyPortal('en', true), ['privacy.delete-account-request:dialog']],
    ['https://privacy.openai.com/policies', F.privacyPortal('fr', true), ['privacy.delete-account-request:dialog']],
    ['https://platform.openai.com/api-keys', F.platformKeys(false), ['platform.revoke-key:control']],
    ['https://platform.openai.com/api-keys', F.platformKeys(true), ['platform.revoke-key:dialog']],
    ['https://platform.openai.com/settings/proj_abc/general', F.platformProject(), ['platform.archive-project:control']],
    ['https://platform.openai.com/playground', F.platformKeys(true), []],
    ['https://sora.com/settings', F.soraSettings('en', false), ['sora.delete-account:control']],
    ['https://sora.chatgpt.com/settings', F.soraSettings('en', true), ['sora.delete-account:dialog']],
    ['https://sora.com/explore', F.soraSettings('en', true), []],
    ['https://auth.openai.com/log-in', F.authDeleted('en'), ['auth.account-deleted:page']],
    ['https://auth.openai.com/log-in', F.authDeleted('de'), ['auth.account-deleted:page']],
    ['https://auth.openai.com/log-in', F.authOk(), []],
    ['https://example.com/#settings/Account', F.chatgptAccount('en'), []],
  ];
  for (const [url, html, want] of cases) assert.deepEqual(summary(detect(url, html)), want, url);
});

test('the confirm screen reports its confirmation patterns and is the dialog element', () => {
  const ms = detect('https://chatgpt.com/#settings/Account', F.chatgptAccount('en') + F.chatgptConfirm('en'));
  assert.equal(ms.length, 1);
  assert.deepEqual(ms[0].confirm.sort(), ['email', 'type-word']);
  assert.equal(ms[0].dialog?.getAttribute('data-testid'), 'confirm-delete');
});

test('the settings modal itself is not a confirmation dialog', () => {
  const ms = detect('https://chatgpt.com/#settings/Account', F.chatgptAccount('de'));
  assert.equal(ms[0].dialog, null);
});

test('languages and rule groups switched off are not matched', () => {
  const noDe = compileRules(RULES, { languages: ['fr'] });
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', F.chatgptAccount('de'), noDe)), []);
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', F.chatgptAccount('en'), noDe)), ['chatgpt.delete-account:control']);
  const noChatgpt = compileRules(RULES, { groups: { chatgpt: false } });
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', F.chatgptAccount('en'), noChatgpt)), []);
});

test('the route gate touches no DOM and rejects other hosts and routes', () => {
  const set = compileRules(RULES);
  const ids = (u: string): string[] => rulesForLocation(set, new URL(u)).map((c) => c.rule.id);
  assert.deepEqual(ids('https://chatgpt.com/c/abc'), []);
  assert.deepEqual(ids('https://chatgpt.com/#settings/Personalization'), []);
  assert.deepEqual(ids('https://chatgpt.com/g/x#settings/account'), ['chatgpt.delete-account']);
  assert.deepEqual(ids('https://evil-chatgpt.com/#settings/Account'), []);
  assert.deepEqual(ids('https://platform.openai.com/settings/organization/api-keys'), ['platform.revoke-key']);
  assert.deepEqual(ids('https://platform.openai.com/docs/api-keys'), []);
});

test('text inside scripts and styles is not page text', () => {
  const phrase = RULES.rules.find((r) => r.id === 'auth.account-deleted')!.pageText!.en![0];
  assert.deepEqual(summary(detect('https://auth.openai.com/log-in', `<main><h1>Welcome</h1></main><script>const t = "${phrase}";</script>`)), []);
});

test('an element matching several role selectors is one control', () => {
  const ms = detect('https://platform.openai.com/api-keys', '<button role="button" aria-label="Revoke key">x</button><input type="submit" value="Revoke key">');
  assert.equal(ms.length, 1);
  assert.equal(ms[0].controls.length, 2);
  assert.deepEqual(ms[0].controls.map((e) => e.tagName).sort(), ['BUTTON', 'INPUT']);
});

test('nested dialogs: the innermost matching one is the confirmation', () => {
  const ms = detect('https://platform.openai.com/api-keys',
    '<div role="dialog" id="outer"><p>Revoke secret key</p><div role="alertdialog" id="inner"><h2>Revoke secret key</h2></div></div>');
  assert.equal(ms[0].dialog?.id, 'inner');
});
