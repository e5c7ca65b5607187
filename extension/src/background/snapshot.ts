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
import { captureVisible, fullPageFirefox, fullPageStitched, hasCaptureTab, type PageControl } from './screenshot';
import { uploadSnapshot, utf8, type Artifact } from './upload';
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
  const settings = await loadSettings();
  const tab = await api.tabs.get(opts.tabId);
  const notes: Record<string, string> = {};
  const allUrls = await hasPermission({ origins: ['<all_urls>'] });
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
    if (!(await hasPermission({ permissions: ['pageCapture'] }))) {
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
  const collectOpts: CollectOptions = { redact: { maskEmails: settings.maskEmails, maskPhones: settings.maskPhones }, mask: mayScreenshot };
  const page = await exec<PageResult>(opts.tabId,
    (key: string, o: CollectOptions) => (globalThis as unknown as Record<string, PageApi>)[key].collect(o), [PAGE_API_KEY, collectOpts]);
  if (!page) throw new Error('the page did not answer the capture (restricted page?)');

  const artifacts: Artifact[] = [];
  try {
    if (mayScreenshot) {
      onScreens();
      try {
        artifacts.push({ name: 'screenshot.png', mime: 'image/png', bytes: await captureVisible(opts.windowId) });
      } catch (e) {
        notes.screenshot = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        mayScreenshot = false;
      }
    }
    if (mayScreenshot && settings.fullPage) {
      const control = pageControl(opts.tabId);
      const g: Geometry = await control.geometry();
      if (g.scrollHeight <= g.innerHeight + 1) {
        notes.fullpage = 'the page fits in the viewport: screenshot.png shows all of it';
      } else {
        try {
          const fp = hasCaptureTab() ? await fullPageFirefox(opts.tabId, g) : await fullPageStitched(opts.windowId, control, g);
          fp.tiles.forEach((bytes, i) => artifacts.push({
            name: fp.tiles.length === 1 ? 'fullpage.png' : `fullpage-${String(i + 1).padStart(2, '0')}.png`, mime: 'image/png', bytes,
          }));
          notes.fullpage = fp.note;
        } catch (e) {
          notes.fullpage = `omitted: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    } else if (!settings.fullPage) {
      notes.fullpage = 'omitted: full-page screenshots are off in options';
    }
  } finally {
    await restorePage(opts.tabId);
  }

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

  artifacts.push(
    { name: 'dom.html' satisfies ArtifactName, mime: 'text/html', bytes: utf8(page.html) },
    { name: 'text.txt' satisfies ArtifactName, mime: 'text/plain', bytes: utf8(page.text) },
    { name: 'settings.json' satisfies ArtifactName, mime: 'application/json', bytes: utf8(page.settings) },
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
  const up = await uploadSnapshot(request, meta, artifacts, { onProgress: onUpload })
    .catch((e) => { throw hostMissingMessage(e); });
  return { snapshotId: up.snapshotId, hint: mayScreenshot || gesture ? undefined : await shortcutHint() };
}

async function shortcutHint(): Promise<string> {
  const cmd = (await api.commands.getAll().catch(() => [])).find((c) => c.name === 'snapshot');
  return snapText('hint', [cmd?.shortcut || 'the Ringfence snapshot shortcut']);
}
