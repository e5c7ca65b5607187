// Issue 14's ChatGPT cases in real Firefox ESR (WebDriver BiDi): the same table as
// rules-chatgpt.test.mjs, on the production build.
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { finish } = ruleSuite(H, { engine: 'firefox', sandbox: 'rules-chatgpt-fx', label: 'ChatGPT', cases: CASES.filter(GROUPS.chatgpt) });
finish({
  arrived: (e) => e.some((x) => x.type === 'warning.escalated' && x.rule_id === 'chatgpt.delete-account'),
  mustWarn: ['chatgpt.delete-account'],
});
