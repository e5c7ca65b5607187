// Options page: guard mode, label languages, rule groups. Saved to storage.local on every change;
// content scripts pick changes up through storage.onChanged.
import { localize, t } from '../../shared/i18n';
import { loadSettings, saveSettings, updateSettings, type GuardMode } from '../../shared/settings';
import rulesFile from '../../shared/rules/rules.json';
import { initCaptureOptions } from './capture-ui';

async function main(): Promise<void> {
  localize(document);
  void initCaptureOptions(document, () => { document.getElementById('saved')!.textContent = t('options_saved'); });
  const s = await loadSettings();
  const form = document.getElementById('form') as HTMLFormElement;
  for (const r of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="guardMode"]'))) r.checked = r.value === s.guardMode;
  const langBox = document.getElementById('languages')!;
  for (const lang of rulesFile.languages) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.name = 'lang';
    cb.value = lang;
    cb.checked = s.languages.includes(lang);
    label.append(cb, ` ${lang}`);
    langBox.append(label);
  }
  const groupBox = document.getElementById('groups')!;
  for (const group of Object.keys(s.groups)) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.name = 'group';
    cb.value = group;
    cb.checked = s.groups[group] !== false;
    const span = document.createElement('span');
    span.textContent = ` ${t(`group_${group}`)}`;
    label.append(cb, span);
    groupBox.append(label);
  }
  // Export folder: an absolute path the host writes kits to; empty means Downloads.
  const exportDir = document.getElementById('export-dir') as HTMLInputElement;
  exportDir.value = s.exportDir;
  exportDir.addEventListener('change', async () => {
    await updateSettings({ exportDir: exportDir.value.trim() });
    document.getElementById('saved')!.textContent = t('options_saved');
  });
  form.addEventListener('change', async () => {
    const mode = form.querySelector<HTMLInputElement>('input[name="guardMode"]:checked')?.value as GuardMode | undefined;
    const next = await loadSettings();
    next.guardMode = mode ?? 'warn';
    next.languages = Array.from(form.querySelectorAll<HTMLInputElement>('input[name="lang"]:checked')).map((c) => c.value);
    for (const cb of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="group"]'))) next.groups[cb.value] = cb.checked;
    await saveSettings(next);
    document.getElementById('saved')!.textContent = t('options_saved');
  });
}

void main();
