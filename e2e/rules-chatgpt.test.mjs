// Issue 14 in real Chromium, ChatGPT: the settings dialog over a conversation (pushState/replaceState),
// the stale- and fresh-login confirmations in several languages, recognised by what they ask, and the
// look-alikes that must stay quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './lib/harness.mjs';
import { CASES } from './lib/rule-cases.mjs';
import { GROUPS, ruleSuite } from './lib/rule-suite.mjs';

const { ctx, finish } = ruleSuite(H, { engine: 'chromium', sandbox: 'rules-chatgpt', label: 'ChatGPT', cases: CASES.filter(GROUPS.chatgpt) });

test('the escalation event says which confirmation the dialog asks for', async () => {
  const ev = await H.waitFor(() => {
    const e = H.events(ctx.sb).filter((x) => x.type === 'warning.escalated' && x.rule_id === 'chatgpt.delete-account');
    return e.length >= 3 ? e : false;
  }, { message: 'escalation events' });
  const kinds = ev.map((e) => [...(e.detail.confirm ?? [])].sort().join('+'));
  assert.ok(kinds.includes('reauth'), `stale login: ${kinds}`);
  assert.ok(kinds.includes('email+type-word'), `fresh login: ${kinds}`);
  assert.ok(kinds.includes('type-word'), `account without email: ${kinds}`);
});

finish();
