// Evidence category of a snapshot, by rules on the route (host, path, hash) and the page text.
// A route rule is a strong signal; text keywords (in the rule languages) decide elsewhere.
import type { Category, Classification } from '../shared/vocab';

interface RouteRule { id: string; category: Category; host: RegExp; route: RegExp }
interface TextRule { id: string; category: Category; text: RegExp }

const OPENAI = /(^|\.)openai\.com$/;
const CHATGPT = /^(chatgpt\.com|chat\.openai\.com)$/;
const SORA = /^(sora\.com|sora\.chatgpt\.com)$/;

// Route is `path + hash`, lower-cased.
const ROUTES: RouteRule[] = [
  { id: 'auth.deleted', category: 'moderation', host: /^auth\.openai\.com$/, route: /error|deactivat|deleted|banned|suspend/ },
  { id: 'platform.api-keys', category: 'api_dashboard', host: /^platform\.openai\.com$/, route: /api-keys|\/usage|\/settings\/proj_[^/]+\/(api-keys|limits)|\/settings\/organization\/(projects|admin-keys|limits|usage)|\/projects/ },
  { id: 'platform.storage', category: 'uploads', host: /^platform\.openai\.com$/, route: /\/storage|\/files/ },
  { id: 'platform.account', category: 'account_status', host: /^platform\.openai\.com$/, route: /\/settings\/(organization|profile)|billing|\/account/ },
  { id: 'chatgpt.data-controls', category: 'consent_training', host: CHATGPT, route: /#settings\/datacontrols|#settings\/personalization/ },
  { id: 'chatgpt.account', category: 'account_status', host: CHATGPT, route: /#settings\/(account|security|connectedapps|connectors|apps|subscription|general)|#pricing|\/admin/ },
  { id: 'chatgpt.library', category: 'uploads', host: CHATGPT, route: /^\/library|\/files|#settings\/.*shared/ },
  { id: 'privacy.requests', category: 'consent_training', host: /^privacy\.openai\.com$/, route: /./ },
  { id: 'help.appeals', category: 'moderation', host: /^help\.openai\.com$/, route: /appeal|ban|deactivat|policy/ },
  { id: 'sora.settings', category: 'account_status', host: SORA, route: /settings|account/ },
  { id: 'sora.library', category: 'uploads', host: SORA, route: /library|drafts|uploads|profile/ },
];

const TEXTS: TextRule[] = [
  { id: 'text.deactivated', category: 'moderation', text: /deleted or deactivated|account (has been |was )?(suspended|banned|deactivated|terminated)|violat\w* (our|the) (usage )?polic|appeal|gesperrt|deaktiviert|suspendu|désactivé|suspendida|desactivada|suspensa|desativada|sospeso|disattivat|停止されました|정지|停用|封禁|заблокирован|деактивирован|geblokkeerd|zawieszon|askıya/i },
  { id: 'text.training', category: 'consent_training', text: /improve the model for everyone|model training|modell für alle verbessern|modelltraining|améliorer le modèle pour tous|mejorar el modelo para todos|melhorar o modelo para todos|migliora il modello per tutti|すべての人のためにモデルを改善|모두를 위한 모델 개선|为所有人改进模型|улучшить модель для всех|model voor iedereen verbeteren|ulepsz model dla wszystkich|herkes için modeli geliştir|do not train on my content|opt.?out/i },
  { id: 'text.api-keys', category: 'api_dashboard', text: /secret key|api keys|create new secret key|revoke (secret )?key|api-schlüssel|clés api|claves de api|chaves de api|chiavi api|api キー|api 키|api 密钥|ключи api/i },
  { id: 'text.uploads', category: 'uploads', text: /uploaded files|file uploads|my files|hochgeladene dateien|fichiers (importés|téléversés)|archivos subidos|arquivos enviados|file caricati|アップロードしたファイル|업로드한 파일|已上传的文件|загруженные файлы/i },
  { id: 'text.account', category: 'account_status', text: /delete account|konto löschen|supprimer le compte|eliminar cuenta|excluir conta|elimina account|アカウントを削除|계정 삭제|删除帐户|удалить аккаунт|account verwijderen|usuń konto|hesabı sil|multi-factor|two-factor|phone number|billing|subscription/i },
];

/** Classifies a page; `text` is its flat text (only the first 50 000 characters are read). */
export function classify(url: string, text: string): Classification {
  let u: URL | null = null;
  try { u = new URL(url); } catch { u = null; }
  if (u) {
    const host = u.hostname.toLowerCase();
    const route = (u.pathname + u.hash).toLowerCase();
    for (const r of ROUTES) if (r.host.test(host) && r.route.test(route)) return { category: r.category, rule: r.id };
  }
  // Text alone never classifies other sites: "appeal" or "billing" on a random page is not
  // evidence about the OpenAI identity.
  if (!u || !(OPENAI.test(u.hostname) || CHATGPT.test(u.hostname) || SORA.test(u.hostname))) {
    return { category: 'other', rule: 'default' };
  }
  const head = text.slice(0, 50_000);
  // Moderation notices outrank everything else on a page: they are the rarest, most needed evidence.
  const hits = TEXTS.map((r) => ({ r, n: countMatches(head, r.text) })).filter((x) => x.n > 0);
  if (hits.length) {
    const mod = hits.find((x) => x.r.category === 'moderation');
    const best = mod ?? hits.sort((a, b) => b.n - a.n)[0];
    return { category: best.r.category, rule: best.r.id };
  }
  return { category: 'other', rule: 'default' };
}

function countMatches(text: string, re: RegExp): number {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let n = 0;
  while (g.exec(text) && n < 100) n++;
  return n;
}
