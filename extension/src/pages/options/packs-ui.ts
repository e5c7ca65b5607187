// Options page: the identity packs (OpenAI always on; the others switched on here, which asks the
// browser for that pack's hosts only) and where every rule comes from (its sources and dates).
import { api } from '../../shared/browser';
import { t } from '../../shared/i18n';
import { loadSettings, saveSettings } from '../../shared/settings';
import { RULES } from '../../shared/rules/index';
import type { Pack, RuleFile, Source } from '../../shared/rules/types';
import { packEnabled } from '../../shared/rules/packs';

const file: RuleFile = RULES;

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function sourceNode(doc: Document, s: Source): HTMLElement {
  const li = el(doc, 'li');
  if (s.source && /^https:\/\//.test(s.source)) {
    const a = el(doc, 'a', s.source);
    a.href = s.source;
    a.target = '_blank';
    a.rel = 'noreferrer';
    li.append(a);
  } else if (s.source) {
    li.append(el(doc, 'code', s.source));
  }
  li.append(` — ${s.observed}${s.note ? `: ${s.note}` : ''}`);
  return li;
}

const hostOf = (origin: string): string => origin.replace(/^https:\/\//, '').replace(/\/\*$/, '');

function packRow(doc: Document, id: string, pack: Pack, on: boolean): HTMLElement {
  const row = el(doc, 'div', undefined, 'pack');
  row.dataset.pack = id;
  const label = el(doc, 'label');
  const cb = el(doc, 'input');
  cb.type = 'checkbox';
  cb.name = 'pack';
  cb.value = id;
  cb.checked = on;
  cb.disabled = pack.default;
  label.append(cb, ` ${pack.name}${pack.default ? ` (${t('opt_pack_always')})` : ''}`);
  row.append(label);
  if (!pack.default) row.append(el(doc, 'p', `${t('opt_pack_hosts')} ${pack.origins.map(hostOf).join(', ')}`, 'pack-hosts'));
  const lost = el(doc, 'ul', undefined, 'pack-lost');
  for (const x of pack.lost) lost.append(el(doc, 'li', x));
  row.append(lost);
  row.append(el(doc, 'p', `${t('opt_pack_reuse')} ${pack.reuse.email}${pack.reuse.username ? `; username: ${pack.reuse.username}` : ''}${pack.reuse.note ? ` — ${pack.reuse.note}` : ''}`));
  row.append(el(doc, 'p', `${t('opt_pack_grace')} ${pack.grace.days !== undefined ? `${pack.grace.days} days — ` : ''}${pack.grace.note}`));
  const src = el(doc, 'ul', undefined, 'pack-sources');
  for (const s of pack.sources) src.append(sourceNode(doc, s));
  row.append(el(doc, 'p', t('opt_pack_sources')), src);
  const status = el(doc, 'p', '', 'pack-status');
  status.setAttribute('aria-live', 'polite');
  row.append(status);
  if (pack.default) return row;
  cb.addEventListener('change', () => {
    if (cb.checked) {
      // permissions.request must run in the click's user gesture: nothing is awaited before it.
      row.dataset.requested = JSON.stringify(pack.origins);
      status.textContent = t('opt_pack_requesting');
      api.permissions.request({ origins: pack.origins }).then(async (granted) => {
        if (!granted) { cb.checked = false; status.textContent = t('opt_pack_denied'); return; }
        const s = await loadSettings();
        s.packs[id] = true;
        await saveSettings(s);
        status.textContent = t('options_saved');
      }, (e: unknown) => { cb.checked = false; status.textContent = e instanceof Error ? e.message : String(e); });
    } else {
      void (async () => {
        const s = await loadSettings();
        s.packs[id] = false;
        await saveSettings(s);
        // Hosts listed in the manifest (a managed or test build) cannot be removed: the switch is enough.
        await api.permissions.remove({ origins: pack.origins }).catch(() => false);
        status.textContent = t('options_saved');
      })();
    }
  });
  return row;
}

export async function initPacks(doc: Document): Promise<void> {
  const list = doc.getElementById('pack-list');
  if (!list) return;
  const settings = await loadSettings();
  const granted = (await api.permissions.getAll()).origins ?? [];
  for (const [id, pack] of Object.entries(file.packs)) {
    const covered = pack.default || await api.permissions.contains({ origins: pack.origins }).catch(() => false);
    list.append(packRow(doc, id, pack, pack.default || packEnabled(pack, settings.packs[id], granted, covered)));
  }
}

export function initProvenance(doc: Document): void {
  const box = doc.getElementById('provenance');
  if (!box) return;
  for (const r of file.rules) {
    const item = el(doc, 'div', undefined, 'rule');
    item.dataset.rule = r.id;
    item.append(el(doc, 'h3', `${r.id} (${file.packs[r.pack]?.name ?? r.pack})`));
    const ul = el(doc, 'ul');
    for (const s of r.provenance.rule) ul.append(sourceNode(doc, s));
    item.append(ul);
    const labels = Object.entries(r.provenance.labels).map(([lang, s]) => `${lang}: ${s?.observed === 'unverified' ? 'unverified' : `${s?.source ?? ''} (${s?.observed})`}`);
    item.append(el(doc, 'p', labels.join(' · '), 'labels'));
    box.append(item);
  }
}
