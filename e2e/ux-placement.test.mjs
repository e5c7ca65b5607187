// The banner covers no control or dialog title on any warning page at 1366×768, 1280×800 and
// 1024×768 in real Chromium; see lib/ux-suite.mjs. Screenshots: out/ux/chromium/.
import { defineSuite } from './lib/ux-suite.mjs';

defineSuite('chromium', 'placement');
