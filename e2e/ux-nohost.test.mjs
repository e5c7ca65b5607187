// Without the host, in real Chromium: the popup's one state and fix, the banner's snapshot feedback;
// see lib/ux-suite.mjs. Screenshots: out/ux/chromium/.
import { defineSuite } from './lib/ux-suite.mjs';

defineSuite('chromium', 'nohost');
