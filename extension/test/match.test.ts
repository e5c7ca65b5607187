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
  'privacy.delete-account-request': 'https://privacy.openai.com/policies?modal=take-control',
  'platform.revoke-key': 'https://platform.openai.com/api-keys',
  'platform.archive-project': 'https://platform.openai.com/settings/proj_abc123/general',
  'platform.organization': 'https://platform.openai.com/settings/organization/general',
  'sora.delete-account': 'https://sora.chatgpt.com/settings',
  'auth.account-deleted': 'https://auth.openai.com/log-in',
  'google.delete-account': 'https://myaccount.google.com/deleteaccount',
  'microsoft.close-account': 'https://account.microsoft.com/profile',
  'amazon.close-account': 'https://www.amazon.de/privacy/data-deletion',
  'github.delete-account': 'https://github.com/settings/admin',
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
      const inputs = (r.confirm ?? []).filter((k) => k.kind !== 'reauth').map((k) => k.kind === 'email'
        ? '<label>Email<input type="email"></label>' : k.kind === 'type-word' ? `<p>Type ${k.words[0]} to confirm</p><input type="text">` : '').join('');
      for (const d of r.dialogs!) for (const lang of RULES.languages) for (const phrase of d.text[lang] ?? []) {
        const also = d.and ? `<p>${esc(d.and[lang]![0])}</p>` : '';
        const ms = detect(URLS[r.id], `<div role="dialog"><h2>${esc(phrase)}</h2>${also}<p>…</p>${inputs}</div>`);
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
    // An announcing route warns on arrival (page level); benign labels add nothing to that.
    const announced = rulesForLocation(compileRules(RULES), new URL(URLS[r.id])).filter((c) => c.announce).map((c) => `${c.rule.id}:page`);
    assert.deepEqual(summary(detect(URLS[r.id], html)), announced, `${r.id} ${lang}`);
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
    ['https://chatgpt.com/#settings/DataControls', F.chatgptDataControls('en', true), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/#settings/DataControls', F.chatgptDataControls('es', true), ['chatgpt.delete-account:control']],
    ['https://chatgpt.com/c/6750a', F.chatgptChat('en'), []],
    ['https://chatgpt.com/', F.chatgptChat('de') + F.chatgptAccount('de'), []],
    // Whatever the tab in the hash, a settings dialog showing the deletion row counts (an unknown tab
    // falls back to General in the real app; the row decides, not the hash).
    ['https://chatgpt.com/#settings/General', F.chatgptAccount('en'), ['chatgpt.delete-account:control']],
    ['https://privacy.openai.com/policies', F.privacyPortal('en', false), ['privacy.delete-account-request:control']],
    ['https://privacy.openai.com/policies', F.privacyPortal('en', true), ['privacy.delete-account-request:dialog']],
    ['https://privacy.openai.com/policies', F.privacyPortal('fr', true), ['privacy.delete-account-request:dialog']],
    ['https://platform.openai.com/api-keys', F.platformKeys(false), ['platform.revoke-key:control']],
    ['https://platform.openai.com/api-keys', F.platformKeys(true), ['platform.revoke-key:dialog']],
    ['https://platform.openai.com/settings/proj_abc/general', F.platformProject(), ['platform.archive-project:control']],
    ['https://platform.openai.com/playground', F.platformKeys(true), []],
    ['https://sora.com/settings', F.soraSettings('en', false), ['sora.delete-account:control']],
    ['https://sora.chatgpt.com/settings', F.soraSettings('en', true), ['sora.delete-account:dialog']],
    // Sora's settings are a dialog over any page: over /explore it counts (issue 14).
    ['https://sora.com/explore', F.soraSettings('en', true), ['sora.delete-account:dialog']],
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
  // Every settings tab is admitted: the confirmation can appear under any of them; their look-alikes
  // stay quiet by what they contain (the tests below), not by the route.
  assert.deepEqual(ids('https://chatgpt.com/#settings/Personalization'), ['chatgpt.delete-account']);
  assert.deepEqual(ids('https://chatgpt.com/#settingsx'), ['chatgpt.delete-account']);
  assert.deepEqual(ids('https://chatgpt.com/c/abc#share'), []);
  assert.deepEqual(ids('https://platform.openai.com/settings/organization/admin-keys'), ['platform.revoke-key']);
  assert.deepEqual(ids('https://github.com/ada/trip/settings'), []);
  assert.deepEqual(ids('https://www.amazon.co.jp/privacy/data-deletion'), ['amazon.close-account']);
  assert.deepEqual(ids('https://amazon.evil.com/privacy/data-deletion'), []);
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

// ---- issue 14: rules that follow how the real pages behave -------------------------------------

const settingsDialog = (inner: string): string => `<main><p>How do I delete my account? Type DELETE…</p></main><div role="dialog" aria-modal="true"><h2>Settings</h2>${inner}</div>`;

test('ChatGPT: the stale-login confirmation (no inputs) is recognised by "Refresh login" next to a deletion title', () => {
  const stale = (title: string, refresh: string): string => `<div role="dialog"><h2>${title}</h2><p>…10 minutes…</p><button>${refresh}</button><button>Cancel</button></div>`;
  for (const url of ['https://chatgpt.com/c/68f0b7#settings/Account', 'https://chatgpt.com/#settings/DataControls', 'https://chatgpt.com/g/g-1/c/2#settings']) {
    const ms = detect(url, stale('Delete account - are you sure?', 'Refresh login'));
    assert.deepEqual(summary(ms), ['chatgpt.delete-account:dialog'], url);
    assert.deepEqual(ms[0].confirm, ['reauth']);
  }
  // A title the rules do not list (zh-CN): "Refresh login" + "Delete account" in the same dialog.
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', stale('删除账户 - 你确定吗？', '重新登录'))), ['chatgpt.delete-account:dialog']);
  // "Refresh login" alone (a session-expired prompt) is not the deletion.
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Security', stale('Session expired', 'Refresh login'))), []);
});

test('ChatGPT: the fresh-login confirmation is recognised by its inputs, in any language', () => {
  const fresh = (title: string, email: boolean): string => `<div role="dialog"><h2>${title}</h2>`
    + (email ? '<label>Email <input placeholder="ada@example.com"></label>' : '')
    + '<label>请输入“DELETE” <input></label><button disabled>Locked</button></div>';
  const ms = detect('https://chatgpt.com/#settings/Account', fresh('删除账户 - 你确定吗？', true));
  assert.deepEqual(summary(ms), ['chatgpt.delete-account:dialog']);
  assert.deepEqual([...ms[0].confirm].sort(), ['email', 'type-word'], 'the email input has no type, only the account email as placeholder');
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Account', fresh('X', false))), ['chatgpt.delete-account:dialog'], 'an account without email: the DELETE input alone');
  // The word must be asked for: "Delete" in a dialog with an input is not it.
  assert.deepEqual(summary(detect('https://chatgpt.com/#settings/Personalization', '<div role="dialog"><h2>Delete all memories?</h2><input placeholder="Search"><button>Delete</button></div>')), []);
});

test('ChatGPT look-alikes under the settings hash stay quiet', () => {
  const cases = [
    '<div role="alertdialog"><h2>Clear your chat history - are you sure?</h2><button>Cancel</button><button>Confirm deletion</button></div>',
    '<div role="alertdialog"><h2>Delete chat?</h2><p>This will delete Trip plan.</p><button>Delete</button></div>',
    settingsDialog('<div class="row"><div>Delete all memories</div><button>Delete</button></div>'),
    settingsDialog('<div class="row"><div>Log out of all devices</div><button>Log out all</button></div>'),
    '<div role="dialog"><h2>Delete file?</h2><p>This file will be removed from your storage.</p><button>Delete</button></div>',
    '<div role="dialog"><h2>Delete GPT?</h2><button>Delete</button></div>',
    '<div role="dialog"><h2>Delete conversation</h2><button>Delete</button></div>',
  ];
  for (const html of cases) for (const hash of ['#settings/Account', '#settings/DataControls', '#settings/Personalization']) {
    assert.deepEqual(summary(detect(`https://chatgpt.com/c/1${hash}`, html)), [], `${hash}: ${html.slice(0, 60)}`);
  }
});

test('Sora: the settings dialog over any page counts; the same labels outside a dialog do not', () => {
  const page = '<main><p class="caption">Delete account</p><button>Delete</button></main>';
  const dialog = '<div role="dialog"><h2>Settings</h2><div class="row"><div>Delete account</div><button>Delete</button></div></div>';
  for (const u of ['https://sora.com/explore', 'https://sora.chatgpt.com/drafts', 'https://sora.com/p/s_68f0', 'https://sora.chatgpt.com/activity', 'https://sora.com/profile']) {
    assert.deepEqual(summary(detect(u, page)), [], u);
    assert.deepEqual(summary(detect(u, page + dialog)), ['sora.delete-account:control'], u);
  }
  // On its own settings page the row counts without a dialog, as before.
  assert.deepEqual(summary(detect('https://sora.com/settings', '<main><button>Delete account</button></main>')), ['sora.delete-account:control']);
  assert.deepEqual(summary(detect('https://sora.com/explore', '<div role="alertdialog"><h2>Delete video?</h2><button>Delete</button></div>')), []);
});

test('auth: account_deactivated is matched as a code, in any language, alone or with the message', () => {
  const u = 'https://auth.openai.com/log-in/password';
  assert.deepEqual(summary(detect(u, '<h1>Authentication error</h1><p>Error code: account_deactivated</p><p>Request ID: 79c3</p>')), ['auth.account-deleted:page']);
  assert.deepEqual(summary(detect(u, '<h1>認証エラー</h1><p>エラーコード：account_deactivated</p>')), ['auth.account-deleted:page']);
  assert.deepEqual(summary(detect(u, '<p>你没有账户，因为该账户已被删除或停用。如果你认为这是错误，请联系我们。</p>')), ['auth.account-deleted:page'], 'zh-CN text alone');
  assert.deepEqual(summary(detect(u, '<p>Error code: account_deactivated_notice_v2</p>')), [], 'a longer token is not the code');
  assert.deepEqual(summary(detect(u, '<p>Incorrect email address or password</p>')), []);
  assert.deepEqual(summary(detect(u, '<p>x</p><script>const c = "account_deactivated";</script>')), [], 'script text is not page text');
});

test('platform: list pages announce, the unlabelled icons\' dialogs escalate, creating a key does not', () => {
  for (const u of ['https://platform.openai.com/settings/organization/admin-keys', 'https://platform.openai.com/settings/proj_abc/api-keys', 'https://platform.openai.com/api-keys']) {
    assert.deepEqual(summary(detect(u, '<table><tr><td>k</td><td><button><svg></svg></button></td></tr></table>')), ['platform.revoke-key:page'], u);
    assert.deepEqual(summary(detect(u, '<div role="dialog"><h2>Revoke secret key</h2><p>This API key will immediately be disabled.</p><button>Revoke key</button></div>')), ['platform.revoke-key:dialog'], u);
    assert.deepEqual(summary(detect(u, '<div role="dialog"><h2>Create new secret key</h2><input placeholder="My Test Key"><button>Create secret key</button></div>')), ['platform.revoke-key:page'], u);
  }
  assert.deepEqual(summary(detect('https://platform.openai.com/settings/proj_abc/general', '<button><svg></svg></button><div role="dialog"><h2>Archive project</h2></div>')), ['platform.archive-project:dialog']);
});

test('privacy: option cards match by their title, not by their whole text', () => {
  const card = (title: string, desc: string): string => `<button type="button"><div>${title}</div><div>${desc}</div></button>`;
  const u = 'https://privacy.openai.com/policies?modal=take-control';
  const ms = detect(u, `<div role="dialog">${card('Download my data', 'Get a copy')}${card('Delete my ChatGPT account', 'Permanently delete your account and data')}</div>`);
  assert.deepEqual(summary(ms), ['privacy.delete-account-request:control']);
  assert.equal(ms[0].controls.length, 1);
  assert.deepEqual(summary(detect(u, `<div role="dialog">${card('Supprimer mon compte ChatGPT', 'Supprimer définitivement')}</div>`)), ['privacy.delete-account-request:control']);
  assert.deepEqual(summary(detect(u, `<div role="dialog">${card('Download my data', 'Delete my ChatGPT account is another option')}</div>`)), [], 'the description is not the title');
  assert.deepEqual(summary(detect(u, `<div role="dialog"><span id="t1">Delete my ChatGPT account</span><button aria-labelledby="t1"><svg></svg></button></div>`)), ['privacy.delete-account-request:control']);
});

test('packs: the deletion pages warn, look-alikes on the same hosts do not', () => {
  const cases: [string, string, string[]][] = [
    ['https://myaccount.google.com/deleteaccount?hl=de', '<h1>Google-Konto löschen</h1><button disabled>Konto löschen</button>', ['google.delete-account:control']],
    ['https://myaccount.google.com/delete-services-or-account', '<a href="/deleteservices">Delete a service</a><a href="/deleteaccount">Delete your account</a>', ['google.delete-account:control']],
    ['https://myaccount.google.com/deleteservices', '<button aria-label="Delete YouTube">x</button><div role="dialog"><h2>Delete YouTube?</h2><button>Delete my content</button></div>', []],
    ['https://account.live.com/closeaccount.aspx', '<h1>Are you sure you want to close ada@outlook.com?</h1><button>Next</button>', ['microsoft.close-account:page']],
    ['https://account.live.com/closeaccount.aspx?lang=ja', '<button>アカウントを閉鎖対象としてマーク</button>', ['microsoft.close-account:control']],
    ['https://account.microsoft.com/devices', '<button>Remove device</button><div role="dialog"><h2>Remove this device?</h2><button>Remove</button></div>', []],
    ['https://www.amazon.com/privacy/data-deletion', '<h1>Close Your Amazon Account</h1><button>Close My Account</button>', ['amazon.close-account:control']],
    ['https://www.amazon.com/gp/cart/view.html', '<input type="submit" value="Delete">', []],
    ['https://github.com/settings/admin', '<button>Change username</button><button>Delete your account</button>', ['github.delete-account:control']],
    ['https://github.com/settings/admin', '<dialog open><h3>Are you sure you want to do this?</h3><label>To verify, type <b>delete my account</b> below: <input></label></dialog>', ['github.delete-account:dialog']],
    ['https://github.com/settings/admin', '<dialog open><h3>Really change your username?</h3><button>I understand, let\'s change my username</button></dialog>', []],
    ['https://github.com/ada/trip/settings', '<button>Delete this repository</button><dialog open><h3>Delete ada/trip</h3><label>To confirm, type "ada/trip" <input></label></dialog>', []],
  ];
  for (const [url, html, want] of cases) assert.deepEqual(summary(detect(url, html)), want, url);
});
