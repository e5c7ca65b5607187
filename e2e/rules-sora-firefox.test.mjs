// Issue 14's Sora and privacy-portal cases in real Firefox ESR (WebDriver BiDi): the same table as
// rules-sora.test.mjs, on the production build.
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { finish } = ruleSuite(H, { engine: 'firefox', sandbox: 'rules-sora-fx', label: 'Sora and privacy', cases: CASES.filter(GROUPS.sora) });
finish({
  arrived: (e) => e.some((x) => x.rule_id === 'sora.delete-account'),
  mustWarn: ['sora.delete-account', 'privacy.delete-account-request'],
});
