// Without the host, in real Firefox ESR: the popup's one state and fix, the banner's snapshot
// feedback; see lib/ux-suite.mjs. Screenshots: out/ux/firefox/.
import { defineSuite } from './lib/ux-suite.mjs';

defineSuite('firefox', 'nohost');
