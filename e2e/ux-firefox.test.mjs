// The surfaces people touch in real Firefox ESR (dist/firefox, the real host): click guard, snooze,
// popup, options, axe-core; see lib/ux-suite.mjs. Screenshots: out/ux/firefox/.
import { defineSuite } from './lib/ux-suite.mjs';

defineSuite('firefox', 'surfaces');
