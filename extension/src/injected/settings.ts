// Structured settings (settings.json): every switch, checkbox, radio, select and ARIA toggle with
// its label and state; labelled account fields; API keys and projects from platform tables. Labels
// are found the way assistive technology finds them (aria-labelledby, aria-label, <label>), then
// by the nearest text in the control's row, so the extraction works in any UI language.
import { docProp, normSpace, walkElements, type ShadowAccessor } from './dom';
import { redactFieldValue, type RedactionLog, type RedactOptions } from '../shared/redact';
import type { SettingsAccount, SettingsAPIKey, SettingsArtifact, SettingsControl, SettingsField, SettingsTable } from '../shared/spec.gen';

// The artifact's shape is spec/artifacts/settings.schema.json (the host reads it too).
export type Control = SettingsControl;
export type Field = SettingsField;
export type ApiKey = SettingsAPIKey;
export type Table = SettingsTable;
export type Account = SettingsAccount;
export type Settings = SettingsArtifact;

export interface SettingsOptions {
  shadowOf: ShadowAccessor;
  log: RedactionLog;
  redact: RedactOptions;
}

const ARTIFACT = 'settings.json';
const MAX_LABEL = 200;
const MAX_TABLES = 20;
const MAX_ROWS = 200;

function clip(s: string, n = MAX_LABEL): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function rootOf(el: Element): Document | ShadowRoot {
  const r = el.getRootNode();
  return (r.nodeType === 9 || r.nodeType === 11) ? r as Document | ShadowRoot : el.ownerDocument;
}

function byId(el: Element, id: string): Element | null {
  const root = rootOf(el);
  return 'getElementById' in root && root.getElementById ? root.getElementById(id) : el.ownerDocument.getElementById(id);
}

/** Visible text of an element without the text of the controls inside it. */
function ownText(el: Element, exclude?: Element, also?: Set<Element>): string {
  const parts: string[] = [];
  const visit = (n: Node): void => {
    if (n === exclude || (also && also.has(n as Element))) return;
    if (n.nodeType === 3) { parts.push((n as Text).data); return; }
    if (n.nodeType !== 1) return;
    const e = n as Element;
    const name = e.localName;
    if (name === 'script' || name === 'style' || name === 'template' || name === 'select' || name === 'svg') return;
    if (e.getAttribute('aria-hidden') === 'true') return;
    const role = e.getAttribute('role');
    if (role === 'switch' || role === 'checkbox' || role === 'radio' || role === 'combobox') return;
    for (const c of Array.from(e.childNodes)) visit(c);
    parts.push(' ');
  };
  visit(el);
  return normSpace(parts.join(''));
}

export function labelOf(el: Element): string {
  const labelledby = el.getAttribute('aria-labelledby');
  if (labelledby) {
    const t = normSpace(labelledby.split(/\s+/).map((id) => byId(el, id)?.textContent ?? '').join(' '));
    if (t) return clip(t);
  }
  const aria = normSpace(el.getAttribute('aria-label'));
  if (aria) return clip(aria);
  const role = el.getAttribute('role');
  if ((el.localName === 'button' && role !== 'combobox') || (role && /^(switch|checkbox|radio|menuitemcheckbox|menuitemradio|button)$/.test(role))) {
    const t = normSpace(el.textContent); // name from content, as ARIA computes it for these roles
    if (t) return clip(t);
  }
  const labels = (el as HTMLInputElement).labels;
  if (labels && labels.length) {
    const t = normSpace(Array.from(labels).map((l) => ownText(l, el)).join(' '));
    if (t) return clip(t);
  }
  if (el.id) {
    const root = rootOf(el);
    const lab = root.querySelector(`label[for="${el.id.replace(/["\\]/g, '\\$&')}"]`);
    const t = lab ? ownText(lab, el) : '';
    if (t) return clip(t);
  }
  const wrap = el.closest('label');
  if (wrap) {
    const t = ownText(wrap, el);
    if (t) return clip(t);
  }
  // Row heuristic: the nearest ancestor (up to five levels) that has text besides the control
  // and its description.
  const described = new Set((el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean)
    .map((id) => byId(el, id)).filter((x): x is Element => !!x));
  let p: Element | null = el.parentElement;
  for (let i = 0; p && i < 5; i++, p = p.parentElement) {
    const t = ownText(p, el, described);
    if (t) return clip(t);
  }
  return clip(normSpace(el.getAttribute('title') ?? el.getAttribute('placeholder') ?? el.getAttribute('name') ?? ''));
}

function descriptionOf(el: Element): string | undefined {
  const ids = el.getAttribute('aria-describedby');
  if (!ids) return undefined;
  const t = normSpace(ids.split(/\s+/).map((id) => byId(el, id)?.textContent ?? '').join(' '));
  return t ? clip(t, 400) : undefined;
}

function ariaChecked(el: Element): boolean | 'mixed' | undefined {
  const a = el.getAttribute('aria-checked') ?? el.getAttribute('aria-pressed');
  if (a === 'true') return true;
  if (a === 'false') return false;
  if (a === 'mixed') return 'mixed';
  const ds = el.getAttribute('data-state');
  if (ds === 'checked' || ds === 'on') return true;
  if (ds === 'unchecked' || ds === 'off') return false;
  return undefined;
}

function isDisabled(el: Element): boolean {
  return (el as HTMLInputElement).disabled === true || el.getAttribute('aria-disabled') === 'true';
}

function control(el: Element): Control | null {
  const name = el.localName;
  const role = el.getAttribute('role');
  // Radix and similar libraries mirror a switch into a hidden native input: count it once.
  if (el.getAttribute('aria-hidden') === 'true') return null;
  let c: Control | null = null;
  if (name === 'input') {
    const input = el as HTMLInputElement;
    const type = (input.type || '').toLowerCase();
    if (type === 'checkbox') c = { label: '', kind: role === 'switch' ? 'switch' : 'checkbox', checked: input.indeterminate ? 'mixed' : input.checked };
    else if (type === 'radio') c = { label: '', kind: 'radio', checked: input.checked, group: input.name || undefined, value: input.value || undefined };
  } else if (name === 'select') {
    const sel = el as HTMLSelectElement;
    const opt = sel.selectedOptions?.[0] ?? sel.options[sel.selectedIndex];
    c = {
      label: '', kind: 'select', value: sel.value, selected_text: normSpace(opt?.textContent),
      options: Array.from(sel.options).slice(0, 50).map((o) => normSpace(o.textContent)),
    };
  } else if (role === 'switch' || role === 'checkbox' || role === 'menuitemcheckbox' || role === 'radio' || role === 'menuitemradio') {
    const kind = role === 'switch' ? 'switch' : role.includes('radio') ? 'radio' : 'checkbox';
    c = { label: '', kind, checked: ariaChecked(el) ?? false };
  } else if (role === 'combobox' && name !== 'input') {
    c = { label: '', kind: 'select', selected_text: ownText(el) || normSpace(el.textContent) };
  } else if (name === 'button' && el.hasAttribute('aria-pressed')) {
    c = { label: '', kind: 'toggle', checked: ariaChecked(el) ?? false };
  }
  if (!c) return null;
  c.label = labelOf(el);
  if (isDisabled(el)) c.disabled = true;
  const d = descriptionOf(el);
  if (d) c.description = d;
  return c;
}

// Label keywords in the languages the rules cover (en, de, fr, es, pt, it, ja, ko, zh, ru, nl, pl, tr).
const ACCOUNT_LABELS: [keyof Account, RegExp][] = [
  ['email', /e-?mail|correo|courriel|メール|이메일|邮箱|电子邮件|電子郵件|почт|adres e-mail|e-posta/i],
  ['phone', /phone|telefon|téléphone|teléfono|telefone|telefono|電話|전화|电话|手机|телефон|numer tel/i],
  ['sso', /\bsso\b|single sign-on|saml|identity provider|\bidp\b/i],
  ['plan', /\bplan\b|subscription|abonnement|abo\b|suscripci|assinatura|abbonamento|プラン|サブスク|요금제|플랜|구독|套餐|订阅|тариф|подписк|abonament|abonelik/i],
  ['organization_id', /organi[sz]ation id|org(anization)?\s*id/i],
  ['organization', /^organi[sz]ation( name)?$|^organisation$|^organización$|組織|조직|组织|организац/i],
  ['user_id', /^user id$/i],
  ['name', /^(full )?name$|^nom$|^nombre$|^nome$|^naam$|^imię|^isim|^ad$|名前|이름|姓名|^имя/i],
];
const LINKED = /linked|connected|connections|verknüpft|verbunden|connecté|conectad|collegat|gekoppeld|połączon|bağlı|連携|연결|关联|已连接|подключ/i;
const EMAIL_VALUE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

function fields(root: Document, shadowOf: ShadowAccessor, push: (f: Field) => void): void {
  walkElements(root, shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head') return false;
    if (name === 'dt') {
      const dd = el.nextElementSibling;
      if (dd && dd.localName === 'dd') push({ label: normSpace(el.textContent), value: normSpace(dd.textContent) });
      return;
    }
    if (name === 'input' || name === 'textarea') {
      const input = el as HTMLInputElement;
      const type = (input.type || 'text').toLowerCase();
      if (['text', 'email', 'tel', 'url', 'search', 'number', 'textarea'].includes(type) && input.value) {
        push({ label: labelOf(el), value: input.value });
      }
      return;
    }
    // A short row of exactly two text leaves: "Email   jane@example.com".
    const kids = el.children;
    if (kids.length === 2 && el.querySelectorAll('*').length <= 12
      && !el.querySelector('input,select,textarea,button,[role=switch],[role=checkbox],[role=combobox],[role=button],table')) {
      const a = normSpace(kids[0].textContent);
      const b = normSpace(kids[1].textContent);
      if (a && b && a.length <= 60 && b.length <= 300 && !/[.!?]$/.test(a)) push({ label: a.replace(/:$/, ''), value: b });
    }
  });
}

function account(fs: Field[]): Account {
  const acc: Account = {};
  for (const f of fs) {
    for (const [key, re] of ACCOUNT_LABELS) {
      if (re.test(f.label) && acc[key] === undefined && key !== 'linked_services') {
        (acc as Record<string, string>)[key] = f.value;
        break;
      }
    }
    if (LINKED.test(f.label)) (acc.linked_services ??= []).push(f.value);
  }
  if (!acc.email) {
    const hit = fs.find((f) => EMAIL_VALUE.test(f.value));
    if (hit) acc.email = hit.value.match(EMAIL_VALUE)![0];
  }
  return acc;
}

function cellText(el: Element): string {
  return normSpace(el.textContent);
}

function tables(root: Document, shadowOf: ShadowAccessor): Table[] {
  const out: Table[] = [];
  walkElements(root, shadowOf, (el) => {
    if (out.length >= MAX_TABLES) return false;
    const role = el.getAttribute('role');
    if (el.localName === 'table') {
      // Rows and cells of this table only (not of tables nested in it).
      const rows = Array.from(el.querySelectorAll('tr')).filter((r) => r.closest('table') === el);
      const cells = (r: Element) => Array.from(r.children).filter((c) => c.localName === 'td' || c.localName === 'th');
      const head = rows.find((r) => r.parentElement?.localName === 'thead')
        ?? (rows[0] && cells(rows[0]).every((c) => c.localName === 'th') ? rows[0] : undefined);
      const headers = head ? cells(head).map(cellText) : [];
      const body = rows.filter((r) => r !== head && r.parentElement?.localName !== 'thead' && r.parentElement?.localName !== 'tfoot');
      out.push({ headers, rows: body.slice(0, MAX_ROWS).map((r) => cells(r).map(cellText)) });
      return false;
    }
    if (role === 'table' || role === 'grid' || role === 'treegrid') {
      const rowEls = Array.from(el.querySelectorAll('[role=row]'));
      const headRow = rowEls.find((r) => r.querySelector('[role=columnheader]'));
      const headers = headRow ? Array.from(headRow.querySelectorAll('[role=columnheader]')).map(cellText) : [];
      const rows = rowEls.filter((r) => r !== headRow).slice(0, MAX_ROWS)
        .map((r) => Array.from(r.querySelectorAll('[role=cell],[role=gridcell],[role=rowheader]')).map(cellText));
      out.push({ headers, rows });
      return false;
    }
    return undefined;
  });
  return out;
}

const COL: [keyof ApiKey, RegExp][] = [
  ['created_by', /created by|erstellt von|créée? par|creada por|criada por|creata da|作成者|생성자|创建者|создал/i],
  ['last_used', /last used|zuletzt|dernière utilisation|último uso|ultimo utilizzo|最終使用|마지막 사용|上次使用|最后使用|последнее использ/i],
  ['created', /created|erstellt|créé|creado|criado|creato|作成|생성|创建|создан/i],
  ['permissions', /permission|scope|berechtigung|autorisation|permiso|permissão|permess|権限|권한|权限|прав/i],
  ['project', /project|projekt|projet|proyecto|projeto|progett|プロジェクト|프로젝트|项目|проект/i],
  ['prefix', /secret key|^key$|api key|schlüssel|clé|clave|chave|chiave|キー|키|密钥|ключ/i],
  ['name', /^name$|^nom$|^nombre$|^nome$|^naam$|名前|이름|名称|^имя|название/i],
];
const MASKED_KEY = /\bsk-[A-Za-z0-9_-]*(?:\.{3}|…|\*{3,})[A-Za-z0-9_-]{0,8}|\bsk-[A-Za-z-]*\[REDACTED\]/;

function apiKeys(ts: Table[]): ApiKey[] | undefined {
  let found: ApiKey[] | undefined;
  for (const t of ts) {
    const map = new Map<keyof ApiKey, number>();
    t.headers.forEach((h, i) => {
      const hit = COL.find(([k, re]) => re.test(h) && !map.has(k));
      if (hit) map.set(hit[0], i);
    });
    if (!map.has('prefix')) {
      // No recognisable header: a column whose cells look like masked keys is the key column.
      const width = Math.max(0, ...t.rows.map((r) => r.length));
      for (let i = 0; i < width; i++) if (t.rows.some((r) => MASKED_KEY.test(r[i] ?? ''))) { map.set('prefix', i); break; }
    }
    if (!map.has('prefix')) continue;
    if (!map.has('name')) map.set('name', map.get('prefix') === 0 ? 1 : 0);
    const keys = t.rows.filter((r) => r.length > 1 && MASKED_KEY.test(r[map.get('prefix')!] ?? '') || r.length > 1 && /sk-/.test(r[map.get('prefix')!] ?? ''))
      .map((r) => {
        const k: ApiKey = { name: r[map.get('name')!] ?? '', prefix: r[map.get('prefix')!] ?? '' };
        for (const [key, idx] of map) if (key !== 'name' && key !== 'prefix' && r[idx] !== undefined) (k as unknown as Record<string, string>)[key] = r[idx];
        return k;
      });
    found = (found ?? []).concat(keys);
  }
  return found;
}

function projects(url: URL, ts: Table[]): Record<string, string>[] | undefined {
  if (!/project/i.test(url.pathname)) return undefined;
  const t = ts.find((x) => x.headers.some((h) => /name|名前|nom|nombre/i.test(h)));
  if (!t) return undefined;
  return t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h.toLowerCase().replace(/\s+/g, '_') || `col${i}`, r[i] ?? ''])));
}

/** Extracts the settings of a document. Values of credential-like fields are redacted here; the
 * caller still runs redactText over the serialized JSON. */
export function extractSettings(doc: Document, opts: SettingsOptions): Settings {
  const url = new URL(docProp(doc, 'URL') || 'about:blank');
  const controls: Control[] = [];
  const headings: string[] = [];
  const dialogs: { role: string; label: string }[] = [];
  walkElements(doc, opts.shadowOf, (el) => {
    const name = el.localName;
    if (name === 'script' || name === 'style' || name === 'head') return false;
    if (/^h[1-3]$/.test(name) || el.getAttribute('role') === 'heading') {
      const t = clip(normSpace(el.textContent));
      if (t && headings.length < 100) headings.push(t);
    }
    const role = el.getAttribute('role');
    if ((role === 'dialog' || role === 'alertdialog' || name === 'dialog') && (name !== 'dialog' || (el as HTMLDialogElement).open)) {
      const lab = el.getAttribute('aria-labelledby') ? labelOf(el) : normSpace(el.getAttribute('aria-label'))
        || clip(normSpace(el.querySelector('h1,h2,h3,[role=heading]')?.textContent));
      dialogs.push({ role: role ?? 'dialog', label: lab });
    }
    const c = control(el);
    if (c) controls.push(c);
    return undefined;
  });
  const fs: Field[] = [];
  const seen = new Set<string>();
  fields(doc, opts.shadowOf, (f) => {
    const value = redactFieldValue(f.value, f.label, ARTIFACT, opts.log, opts.redact);
    const k = `${f.label}\u0000${value}`;
    if (!f.label || seen.has(k) || fs.length >= 500) return;
    seen.add(k);
    fs.push({ label: clip(f.label), value: clip(value, 1000) });
  });
  const ts = tables(doc, opts.shadowOf);
  const settings: Settings = {
    version: 1,
    url: url.href,
    route: { host: url.hostname, path: url.pathname, hash: url.hash },
    lang: docProp(doc, 'documentElement')?.getAttribute('lang') ?? '',
    headings,
    dialogs,
    controls,
    fields: fs,
    account: account(fs),
    tables: ts,
  };
  const keys = apiKeys(ts);
  if (keys) settings.api_keys = keys;
  const projs = projects(url, ts);
  if (projs) settings.projects = projs;
  return settings;
}
