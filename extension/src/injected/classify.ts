// Evidence category of a snapshot, by rules on the route (host, path, hash) and the page text.
// A route rule is a strong signal; text keywords (in the rule languages) decide elsewhere.
import type { Category, Classification } from '../shared/vocab';
import { SITES } from '../shared/spec.gen';

interface RouteRule { id: string; category: Category; hosts: readonly string[]; route: RegExp }
interface TextRule { id: string; category: Category; text: RegExp }

// Every site's category rules (spec/sites/*/site.json), in site order.
const ROUTES: RouteRule[] = SITES.flatMap((site) => site.categoryRoutes.map((r) => ({ ...r, route: new RegExp(r.route) })));
const TEXTS: TextRule[] = SITES.flatMap((site) => site.categoryTexts.map((r) => ({ ...r, text: new RegExp(r.text, 'i') })));

/** Whether a match pattern's host part (`example.com`, `*.example.com`) covers the host. */
function patternHost(pattern: string, host: string): boolean {
  const h = /^[a-z*]+:\/\/([^/]+)\//.exec(pattern)?.[1] ?? '';
  if (h.startsWith('*.')) return host === h.slice(2) || host.endsWith(h.slice(1));
  return host === h;
}

/** Whether the host belongs to a site in spec/sites (its manifest match patterns). */
function onSite(host: string): boolean {
  return SITES.some((site) => site.matchPatterns.some((p) => patternHost(p, host)));
}

/** Classifies a page; `text` is its flat text (only the first 50 000 characters are read). */
export function classify(url: string, text: string): Classification {
  let u: URL | null;
  try { u = new URL(url); } catch { u = null; }
  if (u) {
    const host = u.hostname.toLowerCase();
    const route = (u.pathname + u.hash).toLowerCase();
    for (const r of ROUTES) if (r.hosts.includes(host) && r.route.test(route)) return { category: r.category, rule: r.id };
  }
  // Text alone never classifies other sites: "appeal" or "billing" on a random page is not
  // evidence about the OpenAI identity.
  if (!u || !onSite(u.hostname.toLowerCase())) {
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
