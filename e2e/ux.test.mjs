// The surfaces people touch in real Chromium (dist/chrome, the real host): click guard, snooze,
// popup, options, axe-core; see lib/ux-suite.mjs. Screenshots: out/ux/chromium/.
import { defineSuite } from './lib/ux-suite.mjs';

defineSuite('chromium', 'surfaces');
