// Snapshot budgets (DESIGN.md), measured in real Chromium with the built extension and the real host:
//  1. click → stored: a click on the popup's #snapshot until the popup has the host's acknowledgement
//     (sent after the host's transaction committed), on a fixture settings page that fits the
//     viewport; median and p95 of N runs (default 10) after one warm-up. Budget ≤ 500 ms median.
//     Baseline in the same browser: the popup → background → host → popup round trip of
//     `snapshot.list` (the fixed messaging cost every click pays).
//  2. upload throughput: an ~8 MB page; bytes uploaded over the time from the first upload progress
//     message to the acknowledgement, as the popup sees them.
// Runs are spaced 600 ms apart: Chromium allows two captureVisibleTab calls per second, and the
// capture waits for its quota rather than fail.
//   node e2e/bench-snapshot.mjs [--md docs/benchmarks.md] [--runs 10]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as H from './lib/harness.mjs';

const args = process.argv.slice(2);
const mdFile = args.includes('--md') ? path.resolve(args[args.indexOf('--md') + 1]) : null;
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 10);
H.requireTools();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const sb = H.makeSandbox('bench-snapshot');
const srv = await H.startFixtureServer({ root: path.join(H.ROOT, 'e2e', 'fixtures', 'snapshot') });
const browser = await H.launchChromium({ sandbox: sb, server: srv });
let failed = false;
const rows = [];

// One click in the popup; resolves with { ms, id, uploadMs, bytes } measured inside the popup.
function clickOnce(popup) {
  return popup.evaluate(() => new Promise((resolve) => {
    const progress = document.getElementById('progress');
    const button = document.getElementById('snapshot');
    const before = progress.dataset.snapshotId ?? '';
    let uploadStart = 0;
    let bytes = 0;
    const onMsg = (msg) => {
      const p = msg?.progress;
      if (msg?.type === 'snapshot.progress' && p?.stage === 'uploading') {
        if (!uploadStart) uploadStart = performance.now();
        bytes = p.total;
      }
    };
    chrome.runtime.onMessage.addListener(onMsg);
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      const st = progress.dataset.state;
      if ((st === 'done' || st === 'failed') && (progress.dataset.snapshotId ?? '') !== before) {
        const t1 = performance.now();
        obs.disconnect();
        chrome.runtime.onMessage.removeListener(onMsg);
        resolve({ ms: t1 - t0, state: st, text: progress.textContent, uploadMs: uploadStart ? t1 - uploadStart : 0, bytes });
      }
    });
    obs.observe(progress, { attributes: true, childList: true, characterData: true, subtree: true });
    button.click();
  }));
}

try {
  await H.extensionWorker(browser);
  const page = await H.openPage(browser, 'https://platform.openai.com/settings');
  const popup = await H.triggerAction(browser, page);
  await popup.waitForSelector('#snapshot');
  const warm = await clickOnce(popup);
  if (warm.state !== 'done') throw new Error(`warm-up snapshot failed: ${warm.text}`);
  const clicks = [];
  const trips = [];
  for (let i = 0; i < runs; i++) {
    await sleep(600);
    const t = await popup.evaluate(async () => {
      const t0 = performance.now();
      await chrome.runtime.sendMessage({ type: 'snapshots' });
      return performance.now() - t0;
    });
    trips.push(t);
    const r = await clickOnce(popup);
    if (r.state !== 'done') throw new Error(`snapshot ${i} failed: ${r.text}`);
    clicks.push(r.ms);
  }
  const med = median(clicks);
  const ok = med <= 500;
  failed ||= !ok;
  rows.push(['click → stored (settings page, median)', `${med.toFixed(0)} ms`, `p95 ${pct(clicks, 0.95).toFixed(0)} ms`,
    `${(med / median(trips)).toFixed(1)}× the snapshot.list round trip (${median(trips).toFixed(1)} ms)`, ok ? 'ok (≤ 500 ms)' : 'OVER BUDGET']);
  await popup.close();
  await page.close();

  const heavy = await H.openPage(browser, 'https://platform.openai.com/heavy');
  const p2 = await H.triggerAction(browser, heavy);
  await p2.waitForSelector('#snapshot');
  const ups = [];
  for (let i = 0; i < 3; i++) {
    await sleep(600);
    const r = await clickOnce(p2);
    if (r.state !== 'done') throw new Error(`heavy snapshot ${i} failed: ${r.text}`);
    ups.push({ mbps: r.bytes / 1e6 / (r.uploadMs / 1000), bytes: r.bytes, total: r.ms });
  }
  const best = ups.map((u) => u.mbps);
  rows.push(['upload throughput (~8 MB page, median of 3)', `${median(best).toFixed(1)} MB/s`,
    `${(ups[0].bytes / 1e6).toFixed(1)} MB per snapshot`, `whole capture ${median(ups.map((u) => u.total)).toFixed(0)} ms`, 'measured']);
  await p2.close();
  await heavy.close();
} catch (e) {
  failed = true;
  rows.push(['error', String(e?.message ?? e), '', '', 'FAILED']);
} finally {
  await browser.close();
  await srv.close();
  sb.cleanup();
}

const version = `Chromium ${/(\d+\.\d+\.\d+\.\d+)/.exec((await import('node:child_process')).execFileSync(H.CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[1] ?? ''}`;
const table = ['| measure | value | spread | against baseline | verdict |', '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
console.log(`Snapshot (${version}, headless)\n${table}`);
if (mdFile) {
  const section = `<!-- snapshot-bench:begin -->\n### Snapshot\n\n${version}, headless, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; \`e2e/bench-snapshot.mjs\`, ${runs} runs.\n\n${table}\n<!-- snapshot-bench:end -->`;
  const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmarks\n';
  const re = /<!-- snapshot-bench:begin -->[\s\S]*<!-- snapshot-bench:end -->/;
  writeFileSync(mdFile, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
}
process.exitCode = failed ? 1 : 0;
