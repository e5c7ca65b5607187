// The snapshot part of the options page: automatic capture, masking, full-page screenshots, and
// the two optional permissions, each requested from a click with a plain explanation.
import { api } from '../../shared/browser';
import { loadSettings, updateSettings, type Settings } from '../../shared/settings';
import { snapText as s } from '../../shared/i18n';

function checkbox(doc: Document, id: string, text: string, checked: boolean, onChange: (v: boolean) => void): HTMLLabelElement {
  const label = doc.createElement('label');
  label.className = 'check';
  const cb = doc.createElement('input');
  cb.type = 'checkbox';
  cb.id = id;
  cb.checked = checked;
  cb.addEventListener('change', () => onChange(cb.checked));
  const span = doc.createElement('span');
  span.textContent = text;
  label.append(cb, span);
  return label;
}

// Each permission's button says which permission it grants (two "Allow" buttons would sound alike).
function permissionRow(doc: Document, id: string, title: string, why: string, perm: chrome.permissions.Permissions): HTMLElement {
  const box = doc.createElement('div');
  box.id = id;
  box.className = 'perm';
  const head = doc.createElement('div');
  head.className = 'perm-head';
  const strong = doc.createElement('strong');
  strong.id = `${id}-title`;
  strong.textContent = title;
  const state = doc.createElement('span');
  state.className = 'perm-state';
  const button = doc.createElement('button');
  button.type = 'button';
  const left = doc.createElement('span');
  left.append(strong, ' ', state);
  head.append(left, button);
  const p = doc.createElement('p');
  p.id = `${id}-why`;
  p.textContent = why;
  button.setAttribute('aria-describedby', p.id);
  box.append(head, p);
  const render = async (): Promise<void> => {
    const has = await api.permissions.contains(perm);
    state.textContent = has ? s('opt_granted') : '';
    button.textContent = has ? s('opt_revoke') : s('opt_grant');
    button.setAttribute('aria-label', `${has ? s('opt_revoke') : s('opt_grant')}: ${title}`);
    button.dataset.granted = String(has);
  };
  // permissions.request must run in the click's user gesture: no await before it.
  button.addEventListener('click', () => {
    const p2 = button.dataset.granted === 'true' ? api.permissions.remove(perm) : api.permissions.request(perm);
    void p2.finally(render);
  });
  void render();
  return box;
}

export async function initCaptureOptions(doc: Document, saved: () => void): Promise<void> {
  const section = doc.getElementById('capture-settings');
  if (!section) return;
  const settings = await loadSettings();
  type Flag = 'captureAuto' | 'maskEmails' | 'maskPhones' | 'fullPage';
  const set = (k: Flag) => (v: boolean) => { void updateSettings({ [k]: v } as Partial<Settings>).then(saved); };
  const checks = doc.createElement('div');
  checks.className = 'checks';
  checks.append(
    checkbox(doc, 'capture-auto', s('opt_auto'), settings.captureAuto, set('captureAuto')),
    checkbox(doc, 'mask-emails', s('opt_mask_emails'), settings.maskEmails, set('maskEmails')),
    checkbox(doc, 'mask-phones', s('opt_mask_phones'), settings.maskPhones, set('maskPhones')),
    checkbox(doc, 'full-page', s('opt_fullpage'), settings.fullPage, set('fullPage')),
  );
  section.append(checks, permissionRow(doc, 'perm-all-urls', s('opt_all_urls'), s('opt_all_urls_why'), { origins: ['<all_urls>'] }));
  if (__BROWSER__ === 'chrome') {
    section.append(permissionRow(doc, 'perm-page-capture', s('opt_page_capture'), s('opt_page_capture_why'), { permissions: ['pageCapture'] }));
  }
}
