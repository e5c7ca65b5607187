import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractSettings, type Settings } from '../../src/injected/settings';
import { redactText, RedactionLog } from '../../src/shared/redact';
import { attachClosed, closeAll, fixture, noMask, page, SECRETS, shadowOf } from './helpers';

after(closeAll);

function settingsOf(html: string, url: string): Settings {
  const { document } = page(html, url);
  return extractSettings(document, { shadowOf, log: new RedactionLog(), redact: noMask });
}

const LABELS: Record<string, { improve: string; code: string; lang: string; auto: string; theme: string; dark: string; email: string; phone: string; plan: string; name: string; linked: string }> = {
  en: { improve: 'Improve the model for everyone', code: 'Always show code when using data analyst', lang: 'Language', auto: 'Auto-detect', theme: 'Theme', dark: 'Dark', email: 'Email', phone: 'Phone number', plan: 'Plan', name: 'Name', linked: 'Linked accounts' },
  de: { improve: 'Das Modell für alle verbessern', code: 'Code bei Verwendung der Datenanalyse immer anzeigen', lang: 'Sprache', auto: 'Automatisch erkennen', theme: 'Design', dark: 'Dunkel', email: 'E-Mail', phone: 'Telefonnummer', plan: 'Abonnement', name: 'Name', linked: 'Verknüpfte Konten' },
  fr: { improve: 'Améliorer le modèle pour tous', code: "Toujours afficher le code lors de l'utilisation de l'analyste de données", lang: 'Langue', auto: 'Détection automatique', theme: 'Thème', dark: 'Sombre', email: 'Adresse e-mail', phone: 'Téléphone', plan: 'Abonnement', name: 'Nom', linked: 'Comptes connectés' },
  ja: { improve: 'すべての人のためにモデルを改善する', code: 'データ分析を使用するときは常にコードを表示する', lang: '言語', auto: '自動検出', theme: 'テーマ', dark: 'ダーク', email: 'メールアドレス', phone: '電話番号', plan: 'プラン', name: '名前', linked: '連携済みのアカウント' },
};

for (const [lang, L] of Object.entries(LABELS)) {
  test(`ChatGPT settings (${lang}): every control with its label and state, and the account fields`, () => {
    const s = settingsOf(fixture(`chatgpt-settings.${lang}.html`), 'https://chatgpt.com/#settings/DataControls');
    assert.equal(s.lang, lang);
    assert.deepEqual(s.route, { host: 'chatgpt.com', path: '/', hash: '#settings/DataControls' });
    const byLabel = new Map(s.controls.map((c) => [c.label, c]));
    // The hidden mirror input of the switch is not a second control.
    assert.equal(s.controls.length, 4, JSON.stringify(s.controls, null, 1));
    assert.deepEqual(byLabel.get(L.improve), { label: L.improve, kind: 'switch', checked: true, description: s.controls[0].description });
    assert.ok(s.controls[0].description && s.controls[0].description.length > 10);
    assert.deepEqual(byLabel.get(L.code), { label: L.code, kind: 'checkbox', checked: false });
    assert.deepEqual(byLabel.get(L.lang), { label: L.lang, kind: 'select', selected_text: L.auto });
    const theme = s.controls.find((c) => c.kind === 'select' && c.value === 'dark');
    assert.ok(theme, 'native select');
    assert.equal(theme!.label, L.theme);
    assert.equal(theme!.selected_text, L.dark);
    assert.equal(s.account.email, 'jane.example@example.com');
    assert.equal(s.account.phone, '+1 415 555 0100');
    assert.equal(s.account.plan, 'ChatGPT Plus');
    assert.equal(s.account.name, 'Jane Example');
    assert.deepEqual(s.account.linked_services, ['Google']);
    assert.ok(s.fields.some((f) => f.label === L.linked && f.value === 'Google'));
    assert.equal(s.dialogs.length, 1);
    assert.equal(s.api_keys, undefined);
  });
}

test('platform API keys: name, redacted prefix, created, last used, permissions, project', () => {
  const html = fixture('platform-api-keys.html').replaceAll('SK_PLACEHOLDER', SECRETS.proj);
  const { document } = page(html, 'https://platform.openai.com/api-keys');
  const log = new RedactionLog();
  const obj = extractSettings(document, { shadowOf, log, redact: noMask });
  const json = redactText(JSON.stringify(obj), 'settings.json', log, noMask);
  assert.ok(!json.includes(SECRETS.proj), 'full key leaked into settings.json');
  const s = JSON.parse(json) as Settings;
  assert.deepEqual(s.api_keys, [
    { name: 'prod-backend', prefix: 'sk-...Xq2w', created: 'Mar 3, 2025', last_used: 'Nov 29, 2026', created_by: 'Jane Example', permissions: 'All', project: 'Default project' },
    { name: 'ci-runner', prefix: 'sk-proj-...9fLm', created: 'Jun 12, 2025', last_used: 'Never', created_by: 'Jane Example', permissions: 'Restricted', project: 'Payments' },
    { name: 'analytics', prefix: 'sk-svcacct-...Tt7a', created: 'Jan 2, 2026', last_used: 'Nov 1, 2026', created_by: 'Service account', permissions: 'Read only', project: 'Analytics' },
  ]);
  assert.ok(s.fields.some((f) => f.value === 'sk-proj-[REDACTED]'));
});

test('projects table on the projects route', () => {
  const s = settingsOf(`<!DOCTYPE html><html><body><h1>Projects</h1><table><tr><th>Name</th><th>Status</th><th>Created</th></tr>
    <tr><td>Default project</td><td>Active</td><td>Mar 1, 2024</td></tr><tr><td>Payments</td><td>Archived</td><td>Jun 2, 2025</td></tr></table></body></html>`,
  'https://platform.openai.com/settings/organization/projects');
  assert.deepEqual(s.projects, [
    { name: 'Default project', status: 'Active', created: 'Mar 1, 2024' },
    { name: 'Payments', status: 'Archived', created: 'Jun 2, 2025' },
  ]);
});

test('controls inside open and closed shadow roots, ARIA labels and label[for]', () => {
  const { document } = page(`<!DOCTYPE html><html><body><div id="h1"></div><div id="h2"></div>
    <span id="lbl">Memory</span><div role="switch" aria-labelledby="lbl" aria-checked="false"></div>
    <button aria-pressed="true">Dark mode</button>
    <div role="radiogroup"><div role="radio" aria-checked="true" aria-label="Monthly"></div><div role="radio" aria-checked="false" aria-label="Yearly"></div></div>
    </body></html>`, 'https://sora.com/settings');
  const open = document.getElementById('h1')!.attachShadow({ mode: 'open' });
  open.innerHTML = '<label for="x">Publish to explore</label><input type="checkbox" id="x" checked>';
  attachClosed(document.getElementById('h2')!, '<div><span>Personalization</span><button role="switch" data-state="unchecked"></button></div>');
  const s = extractSettings(document, { shadowOf, log: new RedactionLog(), redact: noMask });
  const got = s.controls.map((c) => [c.label, c.kind, c.checked]);
  assert.deepEqual(got, [
    ['Publish to explore', 'checkbox', true],
    ['Personalization', 'switch', false],
    ['Memory', 'switch', false],
    ['Dark mode', 'toggle', true],
    ['Monthly', 'radio', true],
    ['Yearly', 'radio', false],
  ]);
});
