// The detection cases of issue 14, shared by rules.test.mjs (Chromium) and rules-firefox.test.mjs:
// each case opens a fixture page at its real hostname, replays what a user does, and states what
// the banner must show after each step. `warn` cases must warn; `quiet` cases are look-alikes that
// must not (or must not escalate). Steps:
//   ['click', selector]            a real click on the page's element
//   ['type', selector, text]       typing into an input
//   ['expect', rule, level]        the banner shows this rule at this level ('page'|'control'|'dialog')
//   ['quiet']                      no banner at all (the content script ran: checked where the browser lets us)
//   ['stay', rule, level]          after a pause, the banner is still this rule at this level (no escalation)
const chat = (q) => `https://chatgpt.com/c/68f0b7${q}`;
const openSettings = [['click', '#profile'], ['click', '#open-settings']];

export const CASES = [];
const add = (kind, name, url, steps, pack = 'openai') => CASES.push({ kind, name, url, steps, pack });

// ChatGPT: the settings dialog over a conversation, opened with pushState, tabs switched with
// replaceState (no hashchange); the stale-login confirmation replaces the dialog, hash unchanged.
for (const hl of ['en', 'de', 'fr', 'ja', 'zh']) {
  add('warn', `ChatGPT ${hl}: settings over a conversation (pushState/replaceState), stale-login confirm`, chat(`?hl=${hl}`), [
    ['quiet'], ...openSettings, ['quiet'], ['click', '[data-tab="Account"]'], ['expect', 'chatgpt.delete-account', 'control'],
    ['click', '#delete-account'], ['expect', 'chatgpt.delete-account', 'dialog']]);
}
for (const hl of ['en', 'de', 'ja', 'zh']) {
  add('warn', `ChatGPT ${hl}: fresh-login confirm (email + DELETE)`, chat(`?hl=${hl}&login=fresh#settings/Account`), [
    ['expect', 'chatgpt.delete-account', 'control'], ['click', '#delete-account'], ['expect', 'chatgpt.delete-account', 'dialog']]);
}
add('warn', 'ChatGPT: fresh-login confirm of an account without email (DELETE only)', chat('?login=fresh&noemail=1#settings/Account'), [
  ['click', '#delete-account'], ['expect', 'chatgpt.delete-account', 'dialog']]);
add('warn', 'ChatGPT 2024 layout: Delete account under Data controls, stale-login confirm', chat('?layout=2024'), [
  ...openSettings, ['click', '[data-tab="DataControls"]'], ['expect', 'chatgpt.delete-account', 'control'],
  ['click', '#delete-account'], ['expect', 'chatgpt.delete-account', 'dialog']]);
add('quiet', 'ChatGPT: conversation that explains the deletion flow; "Delete chat?"', chat(''), [
  ['quiet'], ['click', '#chat-menu'], ['click', '#menu-delete'], ['quiet']]);
add('quiet', 'ChatGPT: "Delete all chats" → "Clear your chat history - are you sure?"', chat('#settings/DataControls'), [
  ['quiet'], ['click', '#delete-all'], ['quiet']]);
add('quiet', 'ChatGPT: deleting a stored file', chat('?hl=de#settings/DataControls'), [['click', '#manage-files'], ['quiet']]);
add('quiet', 'ChatGPT: "Delete all memories"', chat('#settings/Personalization'), [['click', '#delete-memories'], ['quiet']]);
add('quiet', 'ChatGPT: "Log out of all devices"', chat('#settings/Security'), [['quiet']]);
add('quiet', 'ChatGPT: unknown tab falls back to General', chat('#settings/Connectors'), [['quiet']]);

// Sora: the settings dialog over any page; the URL never changes.
for (const [host, path, hl] of [['sora.com', '/explore', 'en'], ['sora.com', '/drafts', 'de'], ['sora.chatgpt.com', '/p/s_68f0b7c2', 'ja'], ['sora.chatgpt.com', '/profile', 'en']]) {
  add('warn', `Sora ${host}${path} (${hl}): settings dialog → Account → confirm`, `https://${host}${path}?hl=${hl}`, [
    ['quiet'], ['click', '#sidebar-settings'], ['click', '#user-settings'], ['quiet'], ['click', '#tab-account'],
    ['expect', 'sora.delete-account', 'control'], ['click', '#delete-account'], ['expect', 'sora.delete-account', 'dialog']]);
}
add('quiet', 'Sora /explore: a caption "Delete account", a draft\'s "Delete video?"', 'https://sora.com/explore', [
  ['quiet'], ['click', '#delete-draft'], ['quiet']]);

// auth.openai.com: the deleted/deactivated error, matched by its code in any language.
for (const [path, q] of [['/log-in/password', 'variant=full'], ['/log-in/password', 'variant=full&hl=zh-CN'], ['/email-verification', 'variant=code'],
  ['/email-verification', 'variant=code&hl=zh-CN'], ['/api/accounts/authorize', 'variant=code&hl=ja']]) {
  add('warn', `auth ${path}?${q}`, `https://auth.openai.com${path}?${q}`, [['expect', 'auth.account-deleted', 'page']]);
}
add('quiet', 'auth: wrong password', 'https://auth.openai.com/log-in/password?variant=wrong-password', [['quiet']]);
add('quiet', 'auth: wrong password (zh-CN)', 'https://auth.openai.com/log-in/password?variant=wrong-password&hl=zh-CN', [['quiet']]);
add('quiet', 'auth: help prose mentioning error codes', 'https://auth.openai.com/log-in/password?variant=docs', [['quiet']]);

// platform.openai.com: the list says what it can do; the revoke dialog escalates; creating a key does not.
for (const path of ['/settings/organization/admin-keys', '/settings/proj_abc123/api-keys']) {
  add('warn', `platform ${path}: list page, unlabelled trash icon → "Revoke secret key"`, `https://platform.openai.com${path}`, [
    ['expect', 'platform.revoke-key', 'page'], ['click', '#trash-1'], ['expect', 'platform.revoke-key', 'dialog']]);
  add('quiet', `platform ${path}: "Create new … key" does not escalate`, `https://platform.openai.com${path}`, [
    ['expect', 'platform.revoke-key', 'page'], ['click', '#create-key'], ['stay', 'platform.revoke-key', 'page']]);
}
add('warn', 'platform: unlabelled archive icon → "Archive project"', 'https://platform.openai.com/settings/proj_abc123/general', [
  ['expect', 'platform.archive-project', 'control'], ['click', '#archive-icon'], ['expect', 'platform.archive-project', 'dialog']]);

// privacy.openai.com: option cards matched by their title.
for (const hl of ['en', 'de', 'fr']) {
  add('warn', `privacy (${hl}): option cards → "Delete my ChatGPT account"`, `https://privacy.openai.com/policies?cards=1&hl=${hl}`, [
    ['quiet'], ['click', '#make-request'], ['quiet'], ['click', '#card-consumer'], ['expect', 'privacy.delete-account-request', 'control'],
    ['click', '#card-delete'], ['expect', 'privacy.delete-account-request', 'dialog']]);
}

// Opt-in packs (enabled in these suites).
for (const hl of ['en', 'de', 'fr', 'ja']) {
  add('warn', `Google (${hl}): account deletion page`, `https://myaccount.google.com/deleteaccount?hl=${hl}`, [
    ['expect', 'google.delete-account', 'control']], 'google');
}
add('warn', 'Google (de): "Delete a service or your account" hub', 'https://myaccount.google.com/delete-services-or-account?hl=de', [
  ['expect', 'google.delete-account', 'control']], 'google');
add('quiet', 'Google: deleting one service (YouTube), not the account', 'https://myaccount.google.com/deleteservices', [
  ['quiet'], ['click', '#del-yt'], ['quiet']], 'google');
for (const lang of ['en', 'de', 'fr', 'ja']) {
  add('warn', `Microsoft (${lang}): close account flow`, `https://account.live.com/closeaccount.aspx?lang=${lang}`, [
    ['expect', 'microsoft.close-account', 'page'], ['click', '#next'], ['expect', 'microsoft.close-account', 'control']], 'microsoft');
}
add('quiet', 'Microsoft: removing a device, cancelling a subscription', 'https://account.microsoft.com/devices', [
  ['quiet'], ['click', '#remove'], ['quiet']], 'microsoft');
for (const host of ['www.amazon.com', 'www.amazon.de', 'www.amazon.co.jp']) {
  add('warn', `Amazon ${host}: Close Your Amazon Account`, `https://${host}/privacy/data-deletion`, [
    ['expect', 'amazon.close-account', 'control']], 'amazon');
}
add('quiet', 'Amazon: deleting a cart item, removing an address', 'https://www.amazon.com/gp/cart/view.html', [['quiet']], 'amazon');
add('warn', 'GitHub: /settings/admin → "Delete your account" → confirm', 'https://github.com/settings/admin', [
  ['expect', 'github.delete-account', 'control'], ['click', '#delete-account'], ['expect', 'github.delete-account', 'dialog']], 'github');
add('quiet', 'GitHub: "Change username" does not escalate', 'https://github.com/settings/admin', [
  ['expect', 'github.delete-account', 'control'], ['click', '#change-username'], ['stay', 'github.delete-account', 'control']], 'github');
add('quiet', 'GitHub: deleting a repository', 'https://github.com/ada/trip/settings', [['quiet'], ['click', '#delete-repo'], ['quiet']], 'github');

/** Runs one case in an open browser; `quietCheck(page)` proves the content script was there. */
export async function runCase(H, browser, c, { quietCheck = async () => true, quietMs = 1200 } = {}) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const page = await H.openPage(browser, c.url);
  const seen = [];
  try {
    for (const [op, a, b] of c.steps) {
      if (op === 'click') {
        await page.waitForSelector(a, { timeout: 5000 });
        await page.click(a);
      } else if (op === 'type') {
        await page.type(a, b);
      } else if (op === 'expect') {
        const got = await H.waitForBanner(page, (x) => x?.rule === a && x.level === b, { message: `${a} at ${b} on ${c.url}` });
        seen.push(`${got.rule}:${got.level}`);
      } else if (op === 'quiet') {
        await sleep(quietMs);
        if (!(await quietCheck(page))) throw new Error(`the content script did not run on ${c.url}`);
        const got = await H.readBanner(page);
        if (got !== null) throw new Error(`unexpected banner on ${c.url}: ${JSON.stringify({ rule: got.rule, level: got.level })}`);
        seen.push('quiet');
      } else if (op === 'stay') {
        await sleep(quietMs);
        const got = await H.readBanner(page);
        if (got?.rule !== a || got.level !== b) throw new Error(`expected ${a} to stay at ${b} on ${c.url}, got ${JSON.stringify(got && { rule: got.rule, level: got.level })}`);
        seen.push(`${a}:${b} (no escalation)`);
      } else throw new Error(`unknown step ${op}`);
    }
    return seen;
  } finally {
    await page.close();
  }
}
