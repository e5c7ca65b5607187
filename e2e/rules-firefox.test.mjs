// Issue 14's auth.openai.com and platform.openai.com cases in real Firefox ESR (WebDriver BiDi): the
// same table as rules.test.mjs, on the production build. ChatGPT: rules-chatgpt-firefox.test.mjs;
// Sora and privacy: rules-sora-firefox.test.mjs; the packs: rules-packs-firefox.test.mjs.
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { finish } = ruleSuite(H, { engine: 'firefox', sandbox: 'rules-fx', label: 'auth and platform', cases: CASES.filter(GROUPS.platform) });
finish({
  arrived: (e) => e.some((x) => x.rule_id === 'platform.archive-project'),
  mustWarn: ['auth.account-deleted', 'platform.revoke-key', 'platform.archive-project'],
});
