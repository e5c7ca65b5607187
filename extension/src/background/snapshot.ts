// Snapshot orchestration in the background: inject the page collector, take the screenshots, ask
// for MHTML when allowed, build the metadata and upload everything over the native port.
// Artifacts and fields are described in docs/snapshot.md.
import { api } from '../shared/browser';
import { hostStatus, request, HostError } from './host';
import { isCategory, type Category, type SnapshotTrigger } from '../shared/vocab';
import type { SnapshotProgress } from '../shared/messages';
import { redactMhtml } from './mhtml';
import { RedactionLog, redactText, type RedactionEntry } from '../shared/redact';
import { PAGE_API_KEY, PAGE_SCRIPT, type CollectOptions, type Geometry, type PageApi, type PageResult } from '../shared/page-api';
import { captureVerified, fullPageFirefox, fullPageStitched, hasCaptureTab, MaskError, type PageControl, type ShotCheck } from './screenshot';
import { uploadSnapshot, type Artifact } from './upload';
import { expectBodies } from './bodies';
import type { ArtifactName, SnapshotMeta } from '../shared/spec.gen';
import { loadSettings } from '../shared/settings';
import { AutoDedupe } from './dedupe';
import { snapText } from '../shared/i18n';

export interface CaptureOptions {
  tabId: number;
  windowId: number;
  url: string;
  trigger: SnapshotTrigger;
  /** Category chosen by the user in the popup; classified automatically when absent. */
  category?: Category;
  /** For automatic captures: the rule that asked for it. */
  reason?: string;
}

/** Triggers that come from a user gesture on browser UI, which grants activeTab. */
const GESTURE: SnapshotTrigger[] = ['button', 'shortcut', 'context_menu'];
const inFlight = new Map<number, Promise<{ snapshotId: string; hint?: string }>>();
const recentAuto = new AutoDedupe();
let progress: SnapshotProgress | null = null;

export function currentProgress(): SnapshotProgress | null {
  return progress ? { ...progress } : null;
}

function report(p: SnapshotProgress): void {
  progress = p;
  // The popup listens while it is open; nobody listening is fine.
  api.runtime.sendMessage({ type: 'snapshot.progress', progress: p }).catch(() => undefined);
}

async function exec<T>(tabId: number, func: (...args: never[]) => T | Promise<T>, args: unknown[] = []): Promise<T> {
  const [res] = await api.scripting.executeScript({ target: { tabId }, func: func as () => T, args: args as [] });
  return res?.result as T;
}

function pageControl(tabId: number): PageControl {
  const k = PAGE_API_KEY;
  // The functions run in the page (serialized by executeScript): the key travels as an argument.
  return {
    geometry: () => exec(tabId, (key: string) => (globalThis as unknown as Record<string, PageApi>)[key].geometry(), [k]),
    scrollTo: (y: number) => exec(tabId, (key: string, yy: number) => (globalThis as unknown as Record<string, PageApi>)[key].scrollTo(yy), [k, y]),
    settle: () => exec(tabId, (key: string) => (globalThis as unknown as Record<string, PageApi>)[key].settle(), [k]),
    hideFixed: () => exec(tabId, (key: string) => (globalThis as unknown as Record<string, PageApi>)[key].hideFixed(), [k]),
  };
}

async function restorePage(tabId: number): Promise<void> {
  await exec(tabId, (key: string) => (globalThis as unknown as Record<string, PageApi>)[key].restore(), [PAGE_API_KEY])
    .catch(() => undefined);
}

export async function browserInfo(): Promise<{ browser: string; version: string }> {
  const rt = api.runtime as unknown as { getBrowserInfo?: () => Promise<{ name: string; version: string }> };
  if (rt.getBrowserInfo) {
    const i = await rt.getBrowserInfo();
    return { browser: i.name, version: i.version };
  }
  const uad = (navigator as unknown as { userAgentData?: { getHighEntropyValues(h: string[]): Promise<{ fullVersionList?: { brand: string; version: string }[] }> } }).userAgentData;
  if (uad) {
    try {
      const v = await uad.getHighEntropyValues(['fullVersionList']);
      const list = (v.fullVersionList ?? []).filter((b) => !/not.?a.?brand/i.test(b.brand));
      const pick = list.find((b) => b.brand !== 'Chromium') ?? list[0];
      if (pick) return { browser: pick.brand, version: pick.version };
    } catch {
      // fall through to the user agent string
    }
  }
  const m = /(Chrome|Chromium|Firefox)\/([\d.]+)/.exec(navigator.userAgent);
  return { browser: m?.[1] ?? 'unknown', version: m?.[2] ?? '' };
}

function hostMissingMessage(e: unknown): Error {
  if (e instanceof HostError && e.code === 'disconnected' && hostStatus().state === 'not_installed') {
    return new Error('The Ringfence program is not installed, so the snapshot could not be stored. Install it (the .deb: sudo apt install ./ringfence_*.deb, or ./ringfence install from the release archive), then try again; ringfence doctor says what is wrong.');
  }
  return e instanceof Error ? e : new Error(String(e));
}

function mergeRedactions(a: RedactionEntry[], b: RedactionEntry[]): RedactionEntry[] {
  const m = new Map<string, RedactionEntry>();
  for (const e of [...a, ...b]) {
    const k = `${e.rule}\u0000${e.artifact}`;
    const prev = m.get(k);
    m.set(k, prev ? { ...prev, count: prev.count + e.count } : { ...e });
  }
  return [...m.values()];
}

// The MHTML blob is backed by a temporary file that Chromium may release before a service worker
// reads it ("A requested file or directory could not be found"): ask again, up to three times.
async function saveMhtml(tabId: number): Promise<Uint8Array> {
  const pc = (api as unknown as { pageCapture: { saveAsMHTML(o: { tabId: number }): Promise<Blob> } }).pageCapture;
  for (let attempt = 1; ; attempt++) {
    try {
      const blob = await pc.saveAsMHTML({ tabId });
      return new Uint8Array(await blob.arrayBuffer());
    } catch (e) {
      if (attempt >= 3 || !(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
    }
  }
}

async function hasPermission(p: chrome.permissions.Permissions): Promise<boolean> {
  try { return await api.permissions.contains(p); } catch { return false; }
}

/** Resolves with the stored snapshot's id, and a hint for the user when screenshots were left out. */
export async function captureSnapshot(opts: CaptureOptions): Promise<{ snapshotId: string; hint?: string }> {
  const running = inFlight.get(opts.tabId);
  if (running) return running;
  if (opts.trigger === 'auto') {
    const prev = recentAuto.get(opts.tabId, opts.reason ?? '');
    if (prev) return { snapshotId: prev };
  }
  const p = run(opts).finally(() => inFlight.delete(opts.tabId));
  inFlight.set(opts.tabId, p);
  const res = await p;
  if (opts.trigger === 'auto') recentAuto.remember(opts.tabId, opts.reason ?? '', res.snapshotId);
  return res;
}

async function run(opts: CaptureOptions): Promise<{ snapshotId: string; hint?: string }> {
  const startedAt = Date.now();
  const captured = new Date(startedAt);
  const base = { tabId: opts.tabId, startedAt, sent: 0, total: 0 };
  report({ ...base, stage: 'capturing' });
  try {
    const result = await collectAndUpload(opts, captured, (sent, total) => report({ ...base, stage: 'uploading', sent, total }),
      () => report({ ...base, stage: 'screenshots' }));
    report({ ...base, stage: 'done', snapshotId: result.snapshotId });
    return result;
  } catch (e) {
    const err = hostMissingMessage(e);
    report({ ...base, stage: 'failed', error: err.message });
    throw err;
  }
}

async function collectAndUpload(opts: CaptureOptions, captured: Date, onUpload: (sent: number, total: number) => void,
  onScreens: () => void): Promise<{ snapshotId: string; hint?: string }> {
  // Independent look-ups, asked at once rather than one after another.
  const [settings, tab, allUrls, mayPageCapture] = await Promise.all([loadSettings(), api.tabs.get(opts.tabId),
    hasPermission({ origins: ['<all_urls>'] }),
    __BROWSER__ === 'chrome' ? hasPermission({ permissions: ['pageCapture'] }) : Promise.resolve(false)]);
  const notes: Record<string, string> = {};
  const gesture = GESTURE.includes(opts.trigger);
  let mayScreenshot = gesture || allUrls;
  if (!mayScreenshot) {
    notes.screenshot = `omitted: the ${opts.trigger === 'auto' ? 'automatic' : 'in-page banner'} trigger grants no screenshot permission; allow "Screenshots for banner and automatic snapshots" in Ringfence's options, or press the snapshot shortcut for a full capture`;
  } else if (!tab.active) {
    mayScreenshot = false;
    notes.screenshot = 'omitted: the tab was not visible when the capture ran';
  }

  // MHTML first: it must not contain the secret masks drawn for the screenshots.
  let mhtml: Uint8Array | null = null;
  if (__BROWSER__ === 'chrome') {
    if (!mayPageCapture) {
      notes.mhtml = 'omitted: the optional "pageCapture" permission is not granted (Ringfence options)';
    } else {
      mhtml = await saveMhtml(opts.tabId).catch((e) => {
        notes.mhtml = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        return null;
      });
    }
  } else {
    notes.mhtml = 'omitted: MHTML is a Chromium format';
  }

  await api.scripting.executeScript({ target: { tabId: opts.tabId }, files: [PAGE_SCRIPT] });
  const collectOpts: CollectOptions = { redact: { maskEmails: settings.maskEmails, maskPhones: settings.maskPhones }, mask: mayScreenshot,
    token: crypto.randomUUID() };
  const delivery = expectBodies(collectOpts.token, opts.tabId);
  let page: PageResult | undefined;
  try {
    page = await exec<PageResult>(opts.tabId,
      (key: string, o: CollectOptions) => (globalThis as unknown as Record<string, PageApi>)[key].collect(o), [PAGE_API_KEY, collectOpts]);
  } finally {
    if (!page) delivery.cancel();
  }
  if (!page) throw new Error('the page did not answer the capture (restricted page?)');
  delivery.sizes(page.bodySizes);

  const artifacts: Artifact[] = [];
  // Per capture: mask boxes that had to be in the image, and how many were verified there.
  const checks: ShotCheck[] = [];
  const control = pageControl(opts.tabId);
  let visibleOk = false;
  try {
    if (mayScreenshot) {
      onScreens();
      try {
        // Never before a frame with the masks has been presented (settle), and never stored unless
        // every box is in the captured pixels.
        const shot = await captureVerified(opts.windowId, 'screenshot.png', await control.settle(), control.settle);
        checks.push(shot.check);
        artifacts.push({ name: 'screenshot.png', mime: 'image/png', bytes: shot.bytes });
        visibleOk = true;
      } catch (e) {
        notes.screenshot = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        if (e instanceof MaskError) checks.push(e.check);
        else mayScreenshot = false; // no capture possible at all (permission, closed tab)
      }
    }
    if (mayScreenshot && settings.fullPage) {
      const g: Geometry = await control.geometry();
      if (g.scrollHeight <= g.innerHeight + 1) {
        notes.fullpage = visibleOk ? 'the page fits in the viewport: screenshot.png shows all of it' : 'the page fits in the viewport';
      } else {
        try {
          const visible = artifacts.find((a) => a.name === 'screenshot.png')?.bytes;
          const fp = hasCaptureTab() ? await fullPageFirefox(opts.tabId, g, control.settle) : await fullPageStitched(opts.windowId, control, g, visible);
          fp.tiles.forEach((bytes, i) => artifacts.push({
            name: fp.tiles.length === 1 ? 'fullpage.png' : `fullpage-${String(i + 1).padStart(2, '0')}.png`, mime: 'image/png', bytes,
          }));
          checks.push(...fp.checks);
          notes.fullpage = fp.note;
        } catch (e) {
          notes.fullpage = `omitted: ${e instanceof Error ? e.message : String(e)}`;
          if (e instanceof MaskError) checks.push(e.check);
        }
      }
    } else if (!settings.fullPage) {
      notes.fullpage = 'omitted: full-page screenshots are off in options';
    }
  } finally {
    // Not awaited: the page puts itself back while the upload runs (the next executeScript on this
    // tab queues behind it).
    void restorePage(opts.tabId);
  }
  if (checks.length) notes.masks = maskNote(checks);

  // The requested URL can carry a token too (a fragment, an OAuth callback).
  const urlLog = new RedactionLog();
  const requestedUrl = redactText(opts.url || page.url, 'meta', urlLog, collectOpts.redact);
  let redactions = requestedUrl !== page.url ? mergeRedactions(page.redactions, urlLog.entries()) : page.redactions;
  if (mhtml) {
    const log = new RedactionLog();
    for (const s of page.secrets) log.secrets.add(s);
    mhtml = redactMhtml(mhtml, log, collectOpts.redact);
    redactions = mergeRedactions(redactions, log.entries());
  }
  page.secrets.length = 0; // not needed past this point; never sent

  const bodies = await delivery.bodies;
  artifacts.push(
    { name: 'dom.html' satisfies ArtifactName, mime: 'text/html', bytes: bodies['dom.html'] },
    { name: 'text.txt' satisfies ArtifactName, mime: 'text/plain', bytes: bodies['text.txt'] },
    { name: 'settings.json' satisfies ArtifactName, mime: 'application/json', bytes: bodies['settings.json'] },
  );
  if (mhtml) artifacts.push({ name: 'page.mhtml', mime: 'multipart/related', bytes: mhtml });

  const who = await browserInfo();
  const category: Category = opts.category && isCategory(opts.category) ? opts.category : page.classification.category;
  // Fields docs/protocol.md does not list travel as strings in `notes`, which the host keeps as is.
  notes.category_rule = opts.category ? 'popup' : page.classification.rule;
  notes.page_language = page.lang;
  notes.document_size = `${page.documentSize.width}x${page.documentSize.height}`;
  notes.capture = `nodes=${page.stats.nodes} shadow_roots=${page.stats.shadowRoots} frames_inlined=${page.stats.frames}`
    + ` neutralized=${page.stats.neutralized} masked_on_screen=${page.stats.masked} collect_ms=${page.stats.collectMs}`;
  const meta: SnapshotMeta = {
    url: requestedUrl,
    final_url: page.url,
    title: page.title,
    captured_at: captured.toISOString(),
    tz_offset_minutes: -captured.getTimezoneOffset(),
    trigger: opts.trigger,
    browser: who.browser,
    browser_version: who.version,
    extension_version: api.runtime.getManifest().version,
    viewport: page.viewport,
    device_pixel_ratio: page.devicePixelRatio,
    language: page.language,
    category,
    category_source: opts.category ? 'user' : 'auto',
    redactions,
    notes,
  };
  // One id per capture, kept when the upload waits in the queue: the host stores it once.
  meta.capture_id = crypto.randomUUID();
  const up = await uploadSnapshot(request, meta, artifacts, { onProgress: onUpload })
    .catch((e) => {
      if (unreachable(e) && gesture && enqueue(meta, artifacts)) throw new QueuedError(hostStatus().state === 'not_installed');
      throw hostMissingMessage(e);
    });
  return { snapshotId: up.snapshotId, hint: mayScreenshot || gesture ? undefined : await shortcutHint() };
}

// Snapshots the user asked for (popup, shortcut, context menu) while the host is unreachable wait
// here — in the service worker's memory only, never on disk: they are already redacted, but
// screenshots of account pages should not sit unencrypted in the browser profile. Bounded (3
// snapshots, 64 MiB); retried every 10 s for 30 minutes (each attempt is an extension API call,
// which keeps the worker alive meanwhile); lost if the browser closes first, which the popup says.
interface Pending { meta: SnapshotMeta; artifacts: Artifact[]; bytes: number; since: number }
const pending: Pending[] = [];
export const MAX_PENDING = 3;
export const MAX_PENDING_BYTES = 64 << 20;
const RETRY_MS = 10_000;
const GIVE_UP_MS = 30 * 60_000;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** The snapshot was kept in memory because the host is unreachable; message says so. */
export class QueuedError extends Error {
  constructor(notInstalled: boolean) {
    super(`${notInstalled
      ? 'The Ringfence program is not installed: run `ringfence install` (then `ringfence doctor`).'
      : 'The Ringfence program is not answering.'} The snapshot is kept in memory (not on disk) and is stored as soon as the program answers; it is lost if the browser closes first.`);
  }
}

function unreachable(e: unknown): boolean {
  return e instanceof HostError && e.code === 'disconnected';
}

function enqueue(meta: SnapshotMeta, artifacts: Artifact[]): boolean {
  const bytes = artifacts.reduce((n, a) => n + a.bytes.length, 0);
  const used = pending.reduce((n, p) => n + p.bytes, 0);
  if (pending.length >= MAX_PENDING || used + bytes > MAX_PENDING_BYTES) return false;
  pending.push({ meta, artifacts, bytes, since: Date.now() });
  retryTimer ??= setTimeout(flushPending, RETRY_MS);
  return true;
}

export function pendingSnapshots(): number {
  return pending.length;
}

async function flushPending(): Promise<void> {
  retryTimer = undefined;
  while (pending.length) {
    const p = pending[0];
    try {
      await uploadSnapshot(request, { ...p.meta, notes: { ...p.meta.notes, queued_ms: String(Date.now() - p.since) } }, p.artifacts);
      pending.shift();
    } catch (e) {
      if (unreachable(e) && Date.now() - p.since < GIVE_UP_MS) {
        retryTimer = setTimeout(flushPending, RETRY_MS);
        return;
      }
      pending.shift(); // refused by the host, or waited too long: reported, then dropped
      console.warn('ringfence: a queued snapshot could not be stored', e);
    }
  }
}

/** notes.masks: one "<capture>: drawn=N verified=N attempts=N" per capture, "; "-joined, kept under
 * the host's 4096-byte note limit (a long page's frames are summed past that). */
export function maskNote(checks: ShotCheck[]): string {
  const line = (c: ShotCheck) => `${c.shot}: drawn=${c.drawn} verified=${c.verified} attempts=${c.attempts}`;
  const all = checks.map(line).join('; ');
  if (all.length <= 4000) return all;
  const sum = checks.reduce((a, c) => ({ drawn: a.drawn + c.drawn, verified: a.verified + c.verified, attempts: Math.max(a.attempts, c.attempts) }), { drawn: 0, verified: 0, attempts: 0 });
  return `${line(checks[0])}; ${checks.length - 1} more captures: drawn=${sum.drawn - checks[0].drawn} verified=${sum.verified - checks[0].verified}`;
}

async function shortcutHint(): Promise<string> {
  const cmd = (await api.commands.getAll().catch(() => [])).find((c) => c.name === 'snapshot');
  return snapText('hint', [cmd?.shortcut || 'the Ringfence snapshot shortcut']);
}
