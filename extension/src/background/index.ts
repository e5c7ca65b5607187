// Background: routes messages from content scripts and the popup, owns the native port (host.ts),
// the event log queue (events.ts) and the per-tab warning list shown in the popup.
import { api } from '../shared/browser';
import type { FailureCode, Message, StatusReply, WarningRecord } from '../shared/messages';
import { isCategory, type SnapshotTrigger } from '../shared/vocab';
import { loadSettings, migrateSettings } from '../shared/settings';
import { t } from '../shared/i18n';
import { captureSnapshot, currentProgress, QueuedError } from './snapshot';
import { hello, hostStatus, onStatusChange, request } from './host';
import { flushEvents, logEvent, queuedEventCount } from './events';
import { watchPacks } from './packs';
import { auditState, resumeAudit, startAudit, stopAudit } from './audit';
import { refreshReminder, watchReminder } from './audit-reminder';
import { receiveBodiesPart } from './bodies';
import { BODIES_MESSAGE, type BodiesPart } from '../shared/page-api';

// Per-tab warnings for the popup, in session storage: the background (a service worker in Chromium,
// an event page in Firefox) may be unloaded between the content script's report and the popup.
const warnKey = (tabId: number): string => `warnings:${tabId}`;
async function tabWarnings(tabId: number): Promise<WarningRecord[]> {
  return ((await api.storage.session.get(warnKey(tabId)))[warnKey(tabId)] as WarningRecord[] | undefined) ?? [];
}

// Content scripts run inside web pages: they may report warnings and events, ask for the identity
// summary, snapshot their own tab from the banner or automatically, and open the options page
// (the banner's "Ringfence settings"), nothing else.
const FROM_PAGE = new Set(['event', 'warnings', 'identity', 'snapshot', 'options']);

onStatusChange(() => {
  if (hostStatus().state === 'connected') void flushEvents();
});

// The page the user is looking at: the active tab of the last focused browser window (not of a
// popup window, which is where the toolbar popup may live).
async function activeTab(): Promise<chrome.tabs.Tab | undefined> {
  const [focused] = await api.tabs.query({ active: true, lastFocusedWindow: true, windowType: 'normal' });
  if (focused) return focused;
  // The last focused window is not a browser window: the most recently used of their active tabs.
  const tabs = await api.tabs.query({ active: true, windowType: 'normal' });
  return tabs.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))[0];
}

/** Why a host request failed, for the words the popup and the banner show. */
function failure(e: unknown): { error: string; code: FailureCode } {
  const state = hostStatus().state;
  return { error: e instanceof Error ? e.message : String(e),
    code: state === 'not_installed' ? 'host_missing' : state === 'error' ? 'host_error' : 'failed' };
}

async function snapshot(trigger: SnapshotTrigger, tab: chrome.tabs.Tab | undefined, category?: string,
  reason?: string): Promise<{ snapshotId?: string; hint?: string; following?: boolean; error?: string; code?: FailureCode; queued?: string }> {
  if (!tab || tab.id === undefined) return { error: 'no tab to snapshot', code: 'failed' };
  try {
    return await captureSnapshot({ tabId: tab.id, windowId: tab.windowId, url: tab.url ?? '', trigger,
      category: isCategory(category) ? category : undefined, reason });
  } catch (e) {
    if (e instanceof QueuedError) return { queued: e.message };
    const message = e instanceof Error ? e.message : String(e);
    void logEvent({ type: 'snapshot.failed', rule_id: '', url: tab.url ?? '', at: new Date().toISOString(), detail: { trigger, error: message } });
    return failure(e);
  }
}

function setBadge(tabId: number, count: number): void {
  // null, not '': an empty tab text would hide the global badge (an audit due) on this tab.
  void api.action.setBadgeText({ tabId, text: count ? '!' : null as unknown as string });
  if (count) void api.action.setBadgeBackgroundColor({ tabId, color: '#c2410c' });
}

async function handle(msg: Message, sender: chrome.runtime.MessageSender): Promise<unknown> {
  switch (msg.type) {
    case 'snapshot': {
      // A content script snapshots its own tab; our own pages (the popup, also when Firefox shows it
      // in a tab or window) the page the user is on.
      const own = (sender.url ?? '').startsWith(api.runtime.getURL(''));
      const tab = msg.tabId !== undefined ? await api.tabs.get(msg.tabId)
        : (!own && sender.tab) || await activeTab();
      return snapshot(msg.trigger, tab, msg.category, msg.reason);
    }
    case 'snapshots':
      try { return await request('snapshot.list', { limit: 10 }); } catch (e) {
        return failure(e);
      }
    case 'options':
      await api.runtime.openOptionsPage();
      return { ok: true };
    case 'snapshot.state':
      return currentProgress();
    case 'event':
      await logEvent({ type: msg.event, rule_id: msg.ruleId, url: msg.url, at: msg.at, detail: msg.detail ?? {} });
      return { ok: true };
    case 'warnings':
      if (sender.tab?.id !== undefined) {
        await api.storage.session.set({ [warnKey(sender.tab.id)]: msg.warnings });
        setBadge(sender.tab.id, msg.warnings.length);
      }
      return { ok: true };
    case 'export':
      // The host writes the kit to the folder set in options (else Downloads) and streams progress,
      // relayed to the popup.
      try {
        const { exportDir } = await loadSettings();
        // The kit's report is written in the browser's language (en, de, fr, es, ja; else English).
        const lang = api.i18n.getUILanguage();
        return await request('export', { format: msg.format ?? 'zip', lang, ...(exportDir ? { dir: exportDir } : {}) }, {
          onProgress: (p) => { void api.runtime.sendMessage({ type: 'export.progress', ...p }).catch(() => {}); },
        });
      } catch (e) {
        return failure(e);
      }
    case 'dashboard':
      // The host starts (or reuses) `ringfence serve` and answers with its loopback URL and token;
      // the dashboard opens in a tab next to the current one.
      try {
        // The audit page's address, for the dashboard's Run audit button.
        const r = await request('dashboard.open', { audit_page: api.runtime.getURL('audit.html'),
          ...(msg.snapshotId ? { snapshot_id: msg.snapshotId } : {}), ...(msg.auditId ? { audit_id: msg.auditId } : {}) });
        const url = String(r.url ?? '');
        if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\//.test(url)) return { error: `unexpected dashboard address ${url}` };
        await api.tabs.create({ url });
        return { url };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    case 'audit.state':
      return auditState();
    case 'audit.start':
      return startAudit(msg.screenshots, sender.tab?.id, msg.scheduled === true);
    case 'audit.resume':
      return resumeAudit(msg.screenshots, sender.tab?.id);
    case 'audit.stop':
      return stopAudit();
    case 'audit.reminder':
      return refreshReminder();
    case 'identity':
      try { return await request('identity.summary', {}); } catch { return null; }
    case 'status': {
      // A fresh hello: the host may have been installed since, and the store's figures change.
      if (await hello() === 'connected') await flushEvents();
      const tabId = msg.tabId ?? (await activeTab())?.id;
      const reply: StatusReply = {
        host: hostStatus(),
        warnings: tabId !== undefined ? await tabWarnings(tabId) : [],
        queuedEvents: await queuedEventCount(),
      };
      return reply;
    }
    default:
      return { error: 'unknown message' };
  }
}

api.runtime.onMessage.addListener((msg: Message | BodiesPart, sender, sendResponse) => {
  // Only our own pages and content scripts may talk to the background.
  if (sender.id !== api.runtime.id) return false;
  // A capture's page script delivering its artifacts (a token the capture made, for its own tab).
  if (msg.type === BODIES_MESSAGE) { sendResponse({ ok: receiveBodiesPart(msg, sender.tab?.id) }); return false; }
  const fromPage = sender.tab !== undefined && !(sender.url ?? '').startsWith(api.runtime.getURL(''));
  if (fromPage) {
    if (!FROM_PAGE.has(msg.type)) { sendResponse({ error: 'not allowed from a page' }); return false; }
    if (msg.type === 'snapshot') {
      if (msg.trigger !== 'banner' && msg.trigger !== 'auto') { sendResponse({ error: 'not allowed from a page' }); return false; }
      msg = { ...msg, tabId: undefined, category: undefined };
    }
  }
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ error: String(e) }));
  return true;
});

api.tabs.onRemoved.addListener((tabId) => { void api.storage.session.remove(warnKey(tabId)); });

api.commands.onCommand.addListener((command, tab) => {
  if (command === 'snapshot') void (async () => snapshot('shortcut', tab ?? await activeTab()))();
});

// The context menu appears only where Ringfence works: the pages the manifest covers, plus the
// origins the user granted through the optional permission (all of them for <all_urls>).
async function menuPatterns(): Promise<string[]> {
  const granted = (await api.permissions.getAll()).origins ?? [];
  if (granted.includes('<all_urls>')) return ['<all_urls>'];
  return [...new Set([...(api.runtime.getManifest().host_permissions ?? []), ...granted])];
}
api.runtime.onInstalled.addListener(() => {
  void (async () => {
    api.contextMenus.create({
      id: 'ringfence-snapshot', title: t('contextSnapshot', undefined, ''), contexts: ['page'],
      documentUrlPatterns: await menuPatterns(),
    });
  })();
  void migrateSettings();
});
const refreshMenu = (): void => void (async () => {
  await api.contextMenus.update('ringfence-snapshot', { documentUrlPatterns: await menuPatterns() });
})().catch(() => { /* not created yet: onInstalled creates it with the current patterns */ });
api.permissions.onAdded.addListener(refreshMenu);
api.permissions.onRemoved.addListener(refreshMenu);
api.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === 'ringfence-snapshot') void snapshot('context_menu', tab);
});

watchPacks();
watchReminder();
void hello();
