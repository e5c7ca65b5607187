// Issue 14 in real Chromium, Sora and the privacy portal: Sora's settings dialog over any page (the
// URL never changes), the privacy portal's option cards matched by their title, and the look-alikes
// that must stay quiet.
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { finish } = ruleSuite(H, { engine: 'chromium', sandbox: 'rules-sora', label: 'Sora and privacy', cases: CASES.filter(GROUPS.sora) });
finish();
