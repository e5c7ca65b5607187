import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../src/injected/classify';

test('categories by route and text', () => {
  const cases: [string, string, string][] = [
    ['https://chatgpt.com/#settings/DataControls', '', 'consent_training'],
    ['https://chatgpt.com/#settings/Account', '', 'account_status'],
    ['https://chatgpt.com/#settings/Security', '', 'account_status'],
    ['https://platform.openai.com/api-keys', '', 'api_dashboard'],
    ['https://platform.openai.com/settings/proj_abc/api-keys', '', 'api_dashboard'],
    ['https://platform.openai.com/settings/organization/projects', '', 'api_dashboard'],
    ['https://platform.openai.com/settings/organization/billing/overview', '', 'account_status'],
    ['https://platform.openai.com/storage/files', '', 'uploads'],
    ['https://privacy.openai.com/policies', '', 'consent_training'],
    ['https://auth.openai.com/error?reason=deleted', '', 'moderation'],
    ['https://auth.openai.com/log-in', 'You do not have an account because it has been deleted or deactivated.', 'moderation'],
    ['https://chatgpt.com/library', '', 'uploads'],
    ['https://sora.com/settings', '', 'account_status'],
    ['https://chatgpt.com/', 'Einstellungen Das Modell für alle verbessern', 'consent_training'],
    ['https://chatgpt.com/', 'アカウントを削除する', 'account_status'],
    ['https://chatgpt.com/c/123', 'Delete chat Archive chat', 'other'],
    ['https://example.org/appeal', 'appeal billing API keys', 'other'],
  ];
  for (const [url, text, want] of cases) assert.equal(classify(url, text).category, want, `${url} ${text}`);
});

test('a moderation notice outranks other text on the same page', () => {
  const r = classify('https://chatgpt.com/', 'Billing Subscription Your account has been suspended for violating our usage policies.');
  assert.deepEqual(r, { category: 'moderation', rule: 'text.deactivated' });
});
