// Background: routes messages from content scripts and the popup, owns the native port (host.ts),
// the event log queue (events.ts) and the per-tab warning list shown in the popup.
import { api } from '../shared/browser';
import type { Message, StatusReply, WarningRecord } from '../shared/messages';
import { isCategory, type SnapshotTrigger } from '../shared/vocab';
import { loadSettings, migrateSettings } from '../shared/settings';
import { t } from '../shared/i18n';
import { captureSnapshot, currentProgress } from './snapshot';
import { hello, hostStatus, onStatusChange, request } from './host';
import { flushEvents, logEvent, queuedEventCount } from './events';

// Per-tab warnings for the popup, in session storage: the background (a service worker in Chromium,
// an event page in Firefox) may be unloaded between the content script's report and the popup.
const warnKey = (tabId: number): string => `warnings:${tabId}`;
async function tabWarnings(tabId: number): Promise<WarningRecord[]> {
  return ((await api.storage.session.get(warnKey(tabId)))[warnKey(tabId)] as WarningRecord[] | undefined) ?? [];
}

// Content scripts run inside web pages: they may report warnings and events, ask for the identity
// summary and snapshot their own tab from the banner or automatically, nothing else.
const FROM_PAGE = new Set(['event', 'warnings', 'identity', 'snapshot']);

onStatusChange(() => {
  if (hostStatus().state === 'connected') void flushEvents();
});

async function activeTab(): Promise<chrome.tabs.Tab | undefined> {
  const [tab] = await api.tabs.query({ active: true, lastFocusedWindow: true });
  return tab;
}

async function snapshot(trigger: SnapshotTrigger, tab: chrome.tabs.Tab | undefined, category?: string,
  reason?: string): Promise<{ snapshotId?: string; error?: string }> {
  if (!tab || tab.id === undefined) return { error: 'no tab to snapshot' };
  try {
    return await captureSnapshot({ tabId: tab.id, windowId: tab.windowId, url: tab.url ?? '', trigger,
      category: isCategory(category) ? category : undefined, reason });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    void logEvent({ type: 'snapshot.failed', rule_id: '', url: tab.url ?? '', at: new Date().toISOString(), detail: { trigger, error: message } });
    return { error: message };
  }
}

function setBadge(tabId: number, count: number): void {
  void api.action.setBadgeText({ tabId, text: count ? '!' : '' });
  if (count) void api.action.setBadgeBackgroundColor({ tabId, color: '#c2410c' });
}

async function handle(msg: Message, sender: chrome.runtime.MessageSender): Promise<unknown> {
  switch (msg.type) {
    case 'snapshot': {
      const tab = msg.tabId !== undefined ? await api.tabs.get(msg.tabId)
        : sender.tab ?? await activeTab();
      return snapshot(msg.trigger, tab, msg.category, msg.reason);
    }
    case 'snapshots':
      try { return await request('snapshot.list', { limit: 10 }); } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
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
        return await request('export', { format: msg.format ?? 'zip', ...(exportDir ? { dir: exportDir } : {}) }, {
          onProgress: (p) => { void api.runtime.sendMessage({ type: 'export.progress', ...p }).catch(() => {}); },
        });
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    case 'identity':
      try { return await request('identity.summary', {}); } catch { return null; }
    case 'status': {
      if (hostStatus().state !== 'connected') await hello();
      const tabId = msg.tabId ?? (await activeTab())?.id;
      const reply: StatusReply & { queuedEvents: number } = {
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

api.runtime.onMessage.addListener((msg: Message, sender, sendResponse) => {
  // Only our own pages and content scripts may talk to the background.
  if (sender.id !== api.runtime.id) return false;
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

api.runtime.onInstalled.addListener(() => {
  api.contextMenus.create({ id: 'ringfence-snapshot', title: t('contextSnapshot', undefined, ''), contexts: ['page'] });
  void migrateSettings();
});
api.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === 'ringfence-snapshot') void snapshot('context_menu', tab);
});

void hello();
