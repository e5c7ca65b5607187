// Options page: warnings (click guard, snoozed warnings), where Ringfence warns (rule groups, page
// languages), snapshots, evidence kits (a validated export folder) and what Ringfence stores.
// Saved to storage.local on every change; content scripts pick changes up through storage.onChanged.
import { api } from '../../shared/browser';
import { localize, t } from '../../shared/i18n';
import type { StatusReply } from '../../shared/messages';
import { loadSettings, updateSettings, type GuardMode, type Settings } from '../../shared/settings';
import { RULES as rules } from '../../shared/rules/index';
import { SITES } from '../../shared/spec.gen';
import { initCaptureOptions } from './capture-ui';
import { initPacks, initProvenance } from './packs-ui';
import { initAuditOptions } from './audit-ui';

/** Each label language written in itself, as its speakers look for it. */
export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', pt: 'Português', it: 'Italiano', ja: '日本語',
  ko: '한국어', zh: '中文', ru: 'Русский', nl: 'Nederlands', pl: 'Polski', tr: 'Türkçe',
};

/** An absolute folder path on Linux, macOS or Windows; '' (Downloads) is fine too. */
export function exportDirProblem(v: string): string | null {
  if (v === '') return null;
  if (/[\0\n\r]/.test(v)) return 'options_export_dir_bad_chars';
  if (v.startsWith('~')) return 'options_export_dir_tilde';
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\[^\\]+\\)/.test(v)) return 'options_export_dir_relative';
  return null;
}

const saved = (): void => { document.getElementById('saved')!.textContent = t('options_saved'); };

function renderSnoozed(s: Settings): void {
  const ul = document.getElementById('snoozed')!;
  ul.replaceChildren();
  const now = Date.now();
  const live = Object.entries(s.snoozed).filter(([, until]) => Date.parse(until) > now);
  if (!live.length) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = t('options_snoozed_none');
    ul.append(li);
    return;
  }
  for (const [ruleId, until] of live) {
    const rule = rules.rules.find((r) => r.id === ruleId);
    const title = rule ? t(`${rule.message}_title`) : ruleId;
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = t('options_snoozed_item', [title, new Date(until).toLocaleDateString(api.i18n.getUILanguage(), { day: 'numeric', month: 'long', year: 'numeric' })]);
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.rule = ruleId;
    b.textContent = t('options_unsnooze');
    b.setAttribute('aria-label', t('options_unsnooze_named', [title]));
    b.addEventListener('click', async () => {
      const cur = await loadSettings();
      const next = { ...cur.snoozed };
      delete next[ruleId];
      await updateSettings({ snoozed: next });
      void api.runtime.sendMessage({ type: 'event', event: 'warning.unsnoozed', ruleId, url: '', at: new Date().toISOString(), detail: { until } });
      renderSnoozed(await loadSettings());
      saved();
    });
    li.append(text, b);
    ul.append(li);
  }
}

function initLanguages(s: Settings): void {
  const box = document.getElementById('languages')!;
  for (const lang of rules.languages) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.name = 'lang';
    cb.value = lang;
    cb.checked = s.languages.length === 0 || s.languages.includes(lang) || lang === 'en';
    // English labels are always recognised (the rule file's base language).
    if (lang === 'en') { cb.disabled = true; cb.setAttribute('aria-describedby', 'languages-help'); }
    const name = document.createElement('span');
    name.lang = lang;
    name.textContent = LANGUAGE_NAMES[lang] ?? lang;
    label.append(cb, name);
    box.append(label);
  }
}

async function initStorage(): Promise<void> {
  const reply = await api.runtime.sendMessage({ type: 'status' }) as StatusReply;
  const store = reply.host.store;
  const dir = document.getElementById('data-dir')!;
  const size = document.getElementById('data-size')!;
  const missing = document.getElementById('storage-missing')!;
  document.getElementById('browser-stored')!.textContent = t('options_storage_browser_value', [String(reply.queuedEvents)]);
  if (reply.host.state !== 'connected' || !store?.path) {
    dir.textContent = '—';
    size.textContent = '—';
    missing.hidden = false;
    missing.textContent = reply.host.state === 'not_installed' ? t('options_storage_no_host') : t('options_storage_error');
    return;
  }
  dir.textContent = store.path.replace(/[\\/][^\\/]+$/, '');
  size.textContent = t('options_storage_size_value', [fmtBytes(store.disk_bytes ?? 0), String(store.snapshots ?? 0), String(store.events ?? 0)]);
}

function fmtBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

function initExportDir(s: Settings): void {
  const input = document.getElementById('export-dir') as HTMLInputElement;
  const error = document.getElementById('export-dir-error')!;
  input.value = s.exportDir;
  input.placeholder = t('options_export_dir_placeholder');
  const check = async (): Promise<void> => {
    const v = input.value.trim();
    const problem = exportDirProblem(v);
    input.setAttribute('aria-invalid', String(problem !== null));
    error.hidden = problem === null;
    error.textContent = problem ? t(problem) : '';
    if (problem) return;
    await updateSettings({ exportDir: v });
    saved();
  };
  // Checked (and saved when valid) once typing pauses, and when the field is left.
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => void check(), 600); });
  input.addEventListener('change', () => { clearTimeout(timer); void check(); });
}

async function main(): Promise<void> {
  localize(document);
  void initCaptureOptions(document, saved);
  void initAuditOptions(document, saved);
  void initPacks(document);
  initProvenance(document);
  const s = await loadSettings();
  const form = document.getElementById('form') as HTMLFormElement;
  for (const r of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="guardMode"]'))) r.checked = r.value === s.guardMode;
  const groupBox = document.getElementById('groups')!;
  // An opt-in pack's group is switched with its pack (packs-ui.ts), not here.
  const packGroups = new Set(SITES.filter((x) => x.optional).flatMap((x) => Object.keys(x.groups)));
  for (const group of Object.keys(s.groups)) {
    if (packGroups.has(group)) continue;
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.name = 'group';
    cb.value = group;
    cb.checked = s.groups[group] !== false;
    const span = document.createElement('span');
    span.textContent = t(`group_${group}`);
    label.append(cb, span);
    groupBox.append(label);
  }
  initLanguages(s);
  renderSnoozed(s);
  initExportDir(s);
  void initStorage();
  form.addEventListener('change', async (e) => {
    if (!(e.target instanceof HTMLInputElement) || !['guardMode', 'lang', 'group'].includes(e.target.name)) return;
    const mode = form.querySelector<HTMLInputElement>('input[name="guardMode"]:checked')?.value as GuardMode | undefined;
    const langs = Array.from(form.querySelectorAll<HTMLInputElement>('input[name="lang"]'));
    const checked = langs.filter((c) => c.checked).map((c) => c.value);
    const groups = { ...(await loadSettings()).groups };
    for (const cb of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="group"]'))) groups[cb.value] = cb.checked;
    // Every language ticked is stored as "all", so languages added to the rules later are on too.
    await updateSettings({ guardMode: mode ?? 'warn', languages: checked.length === langs.length ? [] : checked, groups });
    saved();
  });
}

void main();
