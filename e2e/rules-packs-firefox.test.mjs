// Issue 14's opt-in packs in real Firefox ESR (WebDriver BiDi): the same cases as rules-packs.test.mjs,
// with the packs' hosts granted in a copy of dist/firefox (lib/packs.mjs); the background registers
// their content scripts through scripting.registerContentScripts, as after the options page's prompt.
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { grantedPacksCopy } from './lib/packs.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { finish } = ruleSuite(H, { engine: 'firefox', sandbox: 'rules-packs-fx', label: 'packs', cases: CASES.filter(GROUPS.packs),
  extension: (sb) => grantedPacksCopy(sb, H.DIST_FIREFOX) });
finish({
  arrived: (e) => e.some((x) => x.rule_id === 'github.delete-account'),
  mustWarn: ['google.delete-account', 'microsoft.close-account', 'amazon.close-account', 'github.delete-account'],
});
