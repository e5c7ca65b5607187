// Snapshot orchestration in the background: inject the page collector, take the visible screenshot,
// build the metadata and upload the first commit (screenshot, DOM, text, settings) over the native
// port; the slow artifacts (full-page tiles, MHTML) follow as a second commit of the same snapshot
// (an amend), so the acknowledgement never waits for them. Artifacts and fields are described in
// docs/snapshot.md.
import { api } from '../shared/browser';
import { hostCan, hostStatus, request, HostError } from './host';
import { isCategory, type Category, type SnapshotTrigger } from '../shared/vocab';
import type { SnapshotProgress } from '../shared/messages';
import { redactMhtml } from './mhtml';
import { RedactionLog, redactText, type RedactionEntry } from '../shared/redact';
import { PAGE_API_KEY, PAGE_SCRIPT, type CollectOptions, type Geometry, type PageApi, type PageResult } from '../shared/page-api';
import { captureVerified, fullPageFirefox, fullPageStitched, hasCaptureTab, MaskError, type PageControl, type ShotCheck } from './screenshot';
import { hashOf, uploadSnapshot, type Artifact, type UploadOptions, type UploadResult } from './upload';
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
  /** The guided audit: a reason to store nothing for the page's final URL (a sign-in page), checked
   * on the collected page itself, just before anything is kept. */
  refuse?: (finalUrl: string) => string | null;
}

/** The capture was refused by CaptureOptions.refuse: nothing was stored. */
export class RefusedError extends Error {
  constructor(reason: string, public finalUrl: string) { super(reason); this.name = 'RefusedError'; }
}

/** Triggers that come from a user gesture on browser UI, which grants activeTab. */
const GESTURE: SnapshotTrigger[] = ['button', 'shortcut', 'context_menu'];
/** A stored snapshot's id; `following` when its full-page tiles / MHTML are still being added. */
export interface CaptureResult { snapshotId: string; hint?: string; following?: boolean }
const inFlight = new Map<number, Promise<CaptureResult>>();
/** Per tab: the second commit of the last capture, still running after the first was acknowledged. */
const following = new Map<number, Promise<void>>();
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

/** Resolves with the stored snapshot's id (at the first commit), and a hint for the user when
 * screenshots were left out. */
export async function captureSnapshot(opts: CaptureOptions): Promise<CaptureResult> {
  if (opts.trigger === 'auto') {
    const prev = recentAuto.get(opts.tabId, opts.reason ?? '');
    if (prev) return { snapshotId: prev };
  }
  // One capture at a time per tab: a click while the previous capture's tiles are still being taken
  // waits for them (the page is scrolled and masked meanwhile), then captures anew.
  for (;;) {
    const running = inFlight.get(opts.tabId);
    if (running) return running;
    const tail = following.get(opts.tabId);
    if (!tail) break;
    await tail;
  }
  const p = run(opts).finally(() => inFlight.delete(opts.tabId));
  inFlight.set(opts.tabId, p);
  const res = await p;
  if (opts.trigger === 'auto') recentAuto.remember(opts.tabId, opts.reason ?? '', res.snapshotId);
  return res;
}

/** Resolves once the tab's last capture is complete, second commit included (the audit waits for it
 * before it navigates the tab to its next page). */
export function captureSettled(tabId: number): Promise<void> {
  return following.get(tabId) ?? Promise.resolve();
}

/** Runs `tail` as the tab's second commit: registered before the first commit's caller hears back. */
function follow(tabId: number, tail: Promise<void>): void {
  const t: Promise<void> = tail.catch((e) => console.warn('ringfence: the second commit of a snapshot failed', e))
    .finally(() => { if (following.get(tabId) === t) following.delete(tabId); });
  following.set(tabId, t);
}

async function run(opts: CaptureOptions): Promise<CaptureResult> {
  const startedAt = Date.now();
  const captured = new Date(startedAt);
  const base = { tabId: opts.tabId, startedAt, sent: 0, total: 0 };
  report({ ...base, stage: 'capturing' });
  try {
    const result = await collectAndUpload(opts, captured, (sent, total) => report({ ...base, stage: 'uploading', sent, total }),
      () => report({ ...base, stage: 'screenshots' }), () => {
        // The second commit is done: say so unless another capture has reported since.
        if (progress?.startedAt === startedAt && progress.tabId === opts.tabId) report({ ...base, stage: 'done', snapshotId: progress.snapshotId, following: false });
      });
    report({ ...base, stage: 'done', snapshotId: result.snapshotId, following: result.following === true });
    return result;
  } catch (e) {
    const err = hostMissingMessage(e);
    report({ ...base, stage: 'failed', error: err.message });
    throw err;
  }
}

/** The slow artifacts of a capture, for the second commit: notes replace the first commit's. */
interface Slow { artifacts: Artifact[]; notes: Record<string, string>; redactions: RedactionEntry[] }

const FOLLOWS = 'follows: added to this snapshot by a second commit';

/** uploadSnapshot over the host port, in one burst when the host takes the upload's own id. */
async function upload(meta: SnapshotMeta, artifacts: Artifact[], opts: UploadOptions = {}): Promise<UploadResult> {
  return uploadSnapshot(request, meta, artifacts, { ...opts, uploadIds: await hostCan('upload_ids').catch(() => false) });
}

/** Runs collect() in the tab's page collector. The first capture of a document injects it; later ones
 * find it there and collect in the same round trip. A collector left by a reloaded or updated
 * extension fails alive() (its runtime is gone) and is replaced. */
async function collectPage(tabId: number, o: CollectOptions): Promise<PageResult | undefined> {
  const ifThere = (): Promise<PageResult | null> => exec<PageResult | null>(tabId, (key: string, opts: CollectOptions) => {
    const found = Object.getOwnPropertyDescriptor(globalThis, key)?.value as Partial<PageApi> | undefined;
    return typeof found?.alive === 'function' && found.alive() && typeof found.collect === 'function' ? found.collect(opts) : null;
  }, [PAGE_API_KEY, o]);
  const page = await ifThere();
  if (page !== null) return page;
  await api.scripting.executeScript({ target: { tabId }, files: [PAGE_SCRIPT] });
  return (await ifThere()) ?? undefined;
}

async function collectAndUpload(opts: CaptureOptions, captured: Date, onUpload: (sent: number, total: number) => void,
  onScreens: () => void, onFollowed: () => void): Promise<CaptureResult> {
  // Independent look-ups, asked at once rather than one after another.
  const [settings, tab, allUrls, mayPageCapture, canAmend, who] = await Promise.all([loadSettings(), api.tabs.get(opts.tabId),
    hasPermission({ origins: ['<all_urls>'] }),
    __BROWSER__ === 'chrome' ? hasPermission({ permissions: ['pageCapture'] }) : Promise.resolve(false),
    hostCan('amend').catch(() => false), browserInfo()]);
  const notes: Record<string, string> = {};
  const gesture = GESTURE.includes(opts.trigger);
  let mayScreenshot = gesture || allUrls;
  if (!mayScreenshot) {
    notes.screenshot = opts.trigger === 'audit'
      ? 'omitted: the audit ran without the screenshot permission (<all_urls>), which its Start button asks for; allow "Screenshots for banner and automatic snapshots" in Ringfence\'s options for screenshots in audits'
      : `omitted: the ${opts.trigger === 'auto' ? 'automatic' : 'in-page banner'} trigger grants no screenshot permission; allow "Screenshots for banner and automatic snapshots" in Ringfence's options, or press the snapshot shortcut for a full capture`;
  } else if (!tab.active) {
    mayScreenshot = false;
    notes.screenshot = 'omitted: the tab was not visible when the capture ran';
  }
  // MHTML is taken after the page is restored (the second commit): it must not contain the secret
  // masks drawn for the screenshots, and saveAsMHTML would otherwise delay the acknowledgement.
  let wantMhtml = false;
  if (__BROWSER__ === 'chrome') {
    if (!mayPageCapture) notes.mhtml = 'omitted: the optional "pageCapture" permission is not granted (Ringfence options)';
    else wantMhtml = true;
  } else {
    notes.mhtml = 'omitted: MHTML is a Chromium format';
  }

  const collectOpts: CollectOptions = { redact: { maskEmails: settings.maskEmails, maskPhones: settings.maskPhones }, mask: mayScreenshot,
    token: crypto.randomUUID() };
  const delivery = expectBodies(collectOpts.token, opts.tabId);
  let page: PageResult | undefined;
  try {
    page = await collectPage(opts.tabId, collectOpts);
  } finally {
    if (!page) delivery.cancel();
  }
  if (!page) throw new Error('the page did not answer the capture (restricted page?)');
  const collectedAt = Date.now();
  const refused = opts.refuse?.(page.url);
  if (refused) {
    delivery.cancel();
    void restorePage(opts.tabId);
    page.secrets.length = 0;
    throw new RefusedError(refused, page.url);
  }
  delivery.sizes(page.bodySizes);
  // Hashed as they arrive, while the screenshot is taken (the upload needs every SHA-256 first).
  delivery.bodies.then((b) => { for (const bytes of Object.values(b)) void hashOf(bytes); }, () => undefined);

  const artifacts: Artifact[] = [];
  // Per capture: mask boxes that had to be in the image, and how many were verified there.
  const checks: ShotCheck[] = [];
  const control = pageControl(opts.tabId);
  let visible: { bytes: Uint8Array; atTop: boolean } | undefined;
  const fits = page.documentSize.height <= page.viewport.height + 1;
  const wantFullPage = mayScreenshot && settings.fullPage && !fits;
  let restored: Promise<void> | null = null;
  try {
    if (mayScreenshot) {
      onScreens();
      try {
        // Never before a frame with the masks has been presented (collect() waited for one when it
        // drew boxes), and never stored unless every box is in the captured pixels.
        const settled = page.settled ?? await control.settle();
        const shot = await captureVerified(opts.windowId, 'screenshot.png', settled, control.settle);
        checks.push(shot.check);
        artifacts.push({ name: 'screenshot.png', mime: 'image/png', bytes: shot.bytes });
        visible = { bytes: shot.bytes, atTop: settled.scrollX === 0 && settled.scrollY === 0 };
      } catch (e) {
        notes.screenshot = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        if (e instanceof MaskError) checks.push(e.check);
        else mayScreenshot = false; // no capture possible at all (permission, closed tab)
      }
    }
    if (!settings.fullPage) notes.fullpage = 'omitted: full-page screenshots are off in options';
    else if (mayScreenshot && fits) notes.fullpage = visible ? 'the page fits in the viewport: screenshot.png shows all of it' : 'the page fits in the viewport';
  } finally {
    if (!(mayScreenshot && wantFullPage)) {
      // Not awaited: the page puts itself back while the upload runs (the next executeScript on
      // this tab queues behind it).
      restored = restorePage(opts.tabId);
    }
  }
  if (checks.length) notes.masks = maskNote(checks);

  // The requested URL can carry a token too (a fragment, an OAuth callback).
  const urlLog = new RedactionLog();
  const requestedUrl = redactText(opts.url || page.url, 'meta', urlLog, collectOpts.redact);
  const redactions = requestedUrl !== page.url ? mergeRedactions(page.redactions, urlLog.entries()) : page.redactions;
  // Kept in this worker's memory until the MHTML is redacted with them; never sent.
  const secrets = [...page.secrets];
  page.secrets.length = 0;

  const bodies = await delivery.bodies;
  artifacts.push(
    { name: 'dom.html' satisfies ArtifactName, mime: 'text/html', bytes: bodies['dom.html'] },
    { name: 'text.txt' satisfies ArtifactName, mime: 'text/plain', bytes: bodies['text.txt'] },
    { name: 'settings.json' satisfies ArtifactName, mime: 'application/json', bytes: bodies['settings.json'] },
  );

  // The second half: full-page tiles while the masks are still drawn, then the page put back,
  // then the MHTML of the unmasked page, redacted with the secrets collect() found.
  const slow = async (): Promise<Slow> => {
    const out: Slow = { artifacts: [], notes: {}, redactions: [] };
    const all = [...checks];
    try {
      if (mayScreenshot && wantFullPage) {
        try {
          const g: Geometry = await control.geometry();
          // The visible capture is the first frame only when it was taken at the top and the page is
          // still there (the user may have scrolled since).
          const first = visible?.atTop ? visible.bytes : undefined;
          const fp = hasCaptureTab() ? await fullPageFirefox(opts.tabId, g, control.settle) : await fullPageStitched(opts.windowId, control, g, first);
          fp.tiles.forEach((bytes, i) => out.artifacts.push({
            name: fp.tiles.length === 1 ? 'fullpage.png' : `fullpage-${String(i + 1).padStart(2, '0')}.png`, mime: 'image/png', bytes,
          }));
          all.push(...fp.checks);
          out.notes.fullpage = fp.note;
        } catch (e) {
          out.notes.fullpage = `omitted: ${e instanceof Error ? e.message : String(e)}`;
          if (e instanceof MaskError) all.push(e.check);
        }
        out.notes.masks = maskNote(all);
      }
    } finally {
      await (restored ?? restorePage(opts.tabId)); // awaited: the MHTML must not contain the masks
    }
    if (wantMhtml) {
      const t0 = Date.now();
      const raw = await saveMhtml(opts.tabId).catch((e) => {
        out.notes.mhtml = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        return null;
      });
      if (raw) {
        const log = new RedactionLog();
        for (const x of secrets) log.secrets.add(x);
        out.artifacts.push({ name: 'page.mhtml', mime: 'multipart/related', bytes: redactMhtml(raw, log, collectOpts.redact) });
        out.redactions = log.entries();
        out.notes.mhtml = `taken ${t0 - collectedAt} ms after the DOM, once the page was restored (no masks); saveAsMHTML ${Date.now() - t0} ms`;
      }
    }
    secrets.length = 0;
    return out;
  };
  // Whatever goes wrong in it, the second half ends with notes that replace the "follows" ones.
  const slowOrWhy = (): Promise<Slow> => slow().catch((e) => {
    const why = `omitted: ${e instanceof Error ? e.message : String(e)}`;
    return { artifacts: [], redactions: [], notes: { ...(mayScreenshot && wantFullPage ? { fullpage: why } : {}), ...(wantMhtml ? { mhtml: why } : {}) } };
  });
  const hasSlow = (mayScreenshot && wantFullPage) || wantMhtml;
  if (hasSlow && canAmend) {
    if (mayScreenshot && wantFullPage) notes.fullpage = FOLLOWS;
    if (wantMhtml) notes.mhtml = FOLLOWS;
  }

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
  // One id per capture, kept when the upload waits in the queue: the host stores it once, and an
  // amend names it too.
  meta.capture_id = crypto.randomUUID();
  const hint = async (): Promise<string | undefined> => (mayScreenshot || gesture ? undefined : await shortcutHint());

  if (hasSlow && !canAmend) {
    // A host without amends (or none reachable yet): everything in one commit, as before.
    const s = await slowOrWhy();
    artifacts.push(...s.artifacts);
    Object.assign(notes, s.notes);
    meta.redactions = mergeRedactions(redactions, s.redactions);
  }
  let snapshotId: string;
  try {
    snapshotId = (await upload(meta, artifacts, { onProgress: onUpload })).snapshotId;
  } catch (e) {
    if (unreachable(e) && gesture) {
      const queued = enqueue(meta, artifacts);
      if (queued) {
        // The slow half still joins the queued capture, which is then stored in one commit.
        if (hasSlow && canAmend) queued.ready = slowOrWhy().then((s) => appendPending(queued, s));
        throw new QueuedError(hostStatus().state === 'not_installed');
      }
    }
    if (!restored) void restorePage(opts.tabId);
    throw hostMissingMessage(e);
  }
  if (!(hasSlow && canAmend)) return { snapshotId, hint: await hint() };
  follow(opts.tabId, slowOrWhy().then((s) => amend(snapshotId, meta, s)).finally(onFollowed));
  return { snapshotId, hint: await hint(), following: true };
}

/** Sends the second commit of snapshotId. Unreachable host: it waits in the retry queue. Refused:
 * the snapshot's notes say what is missing (a notes-only amend), when the host takes that. */
async function amend(snapshotId: string, meta: SnapshotMeta, s: Slow): Promise<void> {
  const m: SnapshotMeta = { ...meta, notes: s.notes, redactions: s.redactions };
  try {
    await upload(m, s.artifacts, { amends: snapshotId });
  } catch (e) {
    if (unreachable(e) && enqueue(m, s.artifacts, snapshotId)) return;
    const why = `omitted: the second commit failed: ${e instanceof Error ? e.message : String(e)}`;
    const notes: Record<string, string> = {};
    for (const k of ['fullpage', 'mhtml']) if (s.notes[k] !== undefined) notes[k] = s.notes[k].startsWith('omitted') ? s.notes[k] : why;
    await upload({ ...meta, notes, redactions: [] }, [], { amends: snapshotId }).catch(() => undefined);
    throw e;
  }
}

// Snapshots the user asked for (popup, shortcut, context menu) while the host is unreachable wait
// here — in the service worker's memory only, never on disk: they are already redacted, but
// screenshots of account pages should not sit unencrypted in the browser profile. Bounded (3
// snapshots, 64 MiB); retried every 10 s for 30 minutes (each attempt is an extension API call,
// which keeps the worker alive meanwhile); lost if the browser closes first, which the popup says.
// A second commit (amends) whose host went away waits here the same way; a first commit queued
// while its slow half is still being captured is uploaded once that half joined it (ready).
interface Pending { meta: SnapshotMeta; artifacts: Artifact[]; bytes: number; since: number; amends?: string; ready?: Promise<void> }
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

function enqueue(meta: SnapshotMeta, artifacts: Artifact[], amends?: string): Pending | null {
  const bytes = artifacts.reduce((n, a) => n + a.bytes.length, 0);
  const used = pending.reduce((n, p) => n + p.bytes, 0);
  if (pending.length >= MAX_PENDING || used + bytes > MAX_PENDING_BYTES) return null;
  const p: Pending = { meta, artifacts, bytes, since: Date.now(), ...(amends ? { amends } : {}) };
  pending.push(p);
  retryTimer ??= setTimeout(flushPending, RETRY_MS);
  return p;
}

/** Joins a capture's slow half to its queued first commit, within the memory bound. */
function appendPending(p: Pending, s: Slow): void {
  const bytes = s.artifacts.reduce((n, a) => n + a.bytes.length, 0);
  const used = pending.reduce((n, q) => n + q.bytes, 0);
  if (used + bytes > MAX_PENDING_BYTES) {
    for (const k of ['fullpage', 'mhtml']) {
      if (s.notes[k] !== undefined && !s.notes[k].startsWith('omitted')) s.notes[k] = 'omitted: the snapshot waited in memory for the Ringfence program, and this would exceed the 64 MiB kept there';
    }
    s.artifacts = [];
    s.redactions = [];
  }
  p.artifacts.push(...s.artifacts);
  p.bytes += s.artifacts.reduce((n, a) => n + a.bytes.length, 0);
  p.meta = { ...p.meta, notes: { ...p.meta.notes, ...s.notes }, redactions: mergeRedactions(p.meta.redactions ?? [], s.redactions) };
}

export function pendingSnapshots(): number {
  return pending.length;
}

async function flushPending(): Promise<void> {
  retryTimer = undefined;
  while (pending.length) {
    const p = pending[0];
    await p.ready?.catch(() => undefined);
    try {
      await upload({ ...p.meta, notes: { ...p.meta.notes, queued_ms: String(Date.now() - p.since) } }, p.artifacts,
        p.amends ? { amends: p.amends } : {});
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
