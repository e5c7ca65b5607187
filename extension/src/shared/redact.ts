// Redaction of secrets before any artifact leaves the page (or, for MHTML, the background).
// Pure string functions: the same code runs in the page bundle, the background and the tests.

export interface RedactOptions {
  maskEmails: boolean;
  maskPhones: boolean;
}

export interface RedactionEntry {
  rule: string;
  artifact: string;
  count: number;
}

/** Counts redactions per (rule, artifact) and remembers what was removed, so fragments of the same
 * secret split across DOM nodes can be scrubbed too (see scrubFragments). */
export class RedactionLog {
  private counts = new Map<string, number>();
  readonly secrets = new Set<string>();

  add(rule: string, artifact: string, n = 1): void {
    const k = `${rule}\u0000${artifact}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
  }

  entries(): RedactionEntry[] {
    return [...this.counts].map(([k, count]) => {
      const [rule, artifact] = k.split('\u0000');
      return { rule, artifact, count };
    }).sort((a, b) => a.artifact.localeCompare(b.artifact) || a.rule.localeCompare(b.rule));
  }
}

export const MARK = '[REDACTED]';

interface Rule {
  name: string;
  re: RegExp;
  /** Returns the replacement, or null to leave the match alone. */
  replace: (m: RegExpExecArray) => string | null;
  /** The secret part of the match (remembered for fragment scrubbing). */
  secret: (m: RegExpExecArray) => string;
}

// A key body must look random, not like a kebab-case word ("sk-button-primary-large").
function randomish(body: string): boolean {
  const classes = Number(/[a-z]/.test(body)) + Number(/[A-Z]/.test(body)) + Number(/[0-9]/.test(body));
  return classes >= 2 && shannon(body) >= 3.2;
}

export function shannon(s: string): number {
  const freq = new Map<string, number>();
  for (const ch of s) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Long random-looking token: at least 24 characters, mixed classes, high entropy. */
export function looksHighEntropy(value: string): boolean {
  const v = value.trim();
  if (v.length < 24 || /\s/.test(v)) return false;
  if (!/^[A-Za-z0-9_\-+/=.:~]+$/.test(v)) return false;
  return randomish(v) && shannon(v) >= 3.5;
}

const KEY_LIKE = /(api[_ -]?key|secret|token|passw|bearer|credential|session|auth|private[_ -]?key|access[_ -]?key|client[_ -]?secret|signature|csrf|xsrf|cookie)/i;

/** Names, ids and labels of fields that hold credentials. */
export function isKeyLikeName(name: string | null | undefined): boolean {
  return !!name && KEY_LIKE.test(name);
}

const RULES: Rule[] = [
  {
    // OpenAI keys: sk-..., sk-proj-..., sk-svcacct-..., sk-admin-...
    name: 'openai_key',
    re: /(?<![A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-|None-)?)([A-Za-z0-9_-]{20,})/g,
    replace: (m) => (randomish(m[2]) ? m[1] + MARK : null),
    secret: (m) => m[2],
  },
  {
    name: 'session_token',
    re: /(?<![A-Za-z0-9_-])(sess-)([A-Za-z0-9_-]{20,})/g,
    replace: (m) => (randomish(m[2]) ? m[1] + MARK : null),
    secret: (m) => m[2],
  },
  {
    name: 'jwt',
    re: /(?<![A-Za-z0-9_-])(eyJ)([A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g,
    replace: (m) => m[1] + MARK,
    secret: (m) => m[2],
  },
  {
    name: 'bearer',
    re: /\b(Bearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/gi,
    replace: (m) => (m[2].startsWith(MARK) ? null : m[1] + MARK),
    secret: (m) => m[2],
  },
  {
    // Credentials in URLs (links, iframe sources, MHTML headers), in the query or the fragment.
    // Parameters that name a credential: any value is one, however short (mirrors internal/redact).
    name: 'url_credential',
    re: /([?&#;/](?:client_secret|password|passwd|pwd|pass|passphrase|secret|api_secret|private_key|api_key|apikey|access_token|id_token|refresh_token|token|auth_token|session_token|otp)=)([^&#\s"'<>]+)/gi,
    replace: (m) => (m[2].startsWith(MARK) ? null : m[1] + MARK),
    secret: (m) => m[2],
  },
  {
    // Parameters that often carry one: values of 8 characters or more.
    name: 'url_token',
    re: /([?&#;/](?:key|code|session|sig|signature|auth)=)([^&#\s"'<>]{8,})/gi,
    replace: (m) => (m[2].startsWith(MARK) ? null : m[1] + MARK),
    secret: (m) => m[2],
  },
];

/** Characters that render as nothing (zero-width spaces and joiners, word joiner, BOM) or only at
 * a line break (soft hyphen): a page can put them inside a key to split the pattern. */
export const INVISIBLE = /\u00AD|\u034F|\u180E|[\u200B-\u200F]|[\u2060-\u2064]|\uFEFF/;

/** The spans [start, end) of the secret part of every pattern match in s (the kept prefix such as
 * "sk-proj-" excluded; `match` is where the whole match starts), with the rule that matched. */
export function secretSpans(s: string): { start: number; end: number; match: number; rule: string; secret: string }[] {
  const out: { start: number; end: number; match: number; rule: string; secret: string }[] = [];
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(s); m; m = rule.re.exec(s)) {
      if (m[0].length === 0) { rule.re.lastIndex++; continue; }
      if (rule.replace(m) === null) continue;
      const end = m.index + m[0].length;
      out.push({ start: end - m[2].length, end, match: m.index, rule: rule.name, secret: rule.secret(m) });
    }
  }
  return out;
}

/** A view of text with what does not separate words on screen left out — invisible characters,
 * and the line breaks and tabs the text extraction puts between blocks and table cells (`text`), or
 * additionally the markup between text runs (`html`) — and `at(v)`, the index in text of view
 * character v. `<div>sk-proj-</div><div>REST</div>`, a `<br>` or a zero-width space inside a key
 * read as one key in the view. */
export function joinedView(text: string, mode: 'text' | 'html'): { view: string; at: (v: number) => number } {
  const parts: string[] = [];
  // The view is made of runs copied from text (an 8 MB page has a few hundred thousand): run r
  // starts at view offset runView[r] and text offset runText[r]; at() searches them.
  const runView: number[] = [];
  const runText: number[] = [];
  let n = 0;
  const copy = (from: number, to: number): void => {
    if (to <= from) return;
    parts.push(text.slice(from, to));
    runView.push(n);
    runText.push(from);
    n += to - from;
  };
  // After a left-out separator, a key prefix starts a new word: a boundary character (never part of
  // a key) keeps "Label" + "sk-proj-…" from reading as "Labelsk-proj-…", which no rule matches.
  // (Two never follow each other: the prefix that asked for one is copied next.)
  const boundary = (from: number): void => {
    if (n > 0 && KEY_START.test(text.slice(from, from + 7))) {
      parts.push('\u0001');
      runView.push(n);
      runText.push(from - 1);
      n++;
    }
  };
  const special = mode === 'html' ? SPECIAL_HTML : SPECIAL_TEXT;
  special.lastIndex = 0;
  let i = 0;
  for (let m = special.exec(text); m; m = special.exec(text)) {
    const pos = m.index;
    const c = m[0];
    if (c === '<') {
      // Markup: up to the tag's end, left out.
      copy(i, pos);
      const j = text.indexOf('>', pos);
      i = j < 0 ? text.length : j + 1;
      boundary(i);
    } else if (c === '\n' || c === '\t' || c === '\r') {
      // The whole whitespace run around a line break or tab separates blocks or cells: left out.
      // (Runs of spaces alone stay, inside the copied runs.)
      let from = pos;
      while (from > i && BLANK.test(text[from - 1])) from--;
      let to = pos + 1;
      while (to < text.length && BLANK.test(text[to])) to++;
      copy(i, from);
      i = to;
      boundary(i);
    } else {
      // An invisible character: left out.
      copy(i, pos);
      i = pos + 1;
    }
    special.lastIndex = i;
    if (i >= text.length) break;
  }
  copy(i, text.length);
  const at = (v: number): number => {
    let lo = 0;
    let hi = runView.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runView[mid] <= v) lo = mid; else hi = mid - 1;
    }
    return runText[lo] + (v - runView[lo]);
  };
  return { view: parts.join(''), at };
}

const KEY_START = /^(?:sk-|sess-|eyJ|Bearer\s)/;
// What joinedView looks at: an invisible character, a line break or tab (then the whitespace run
// around it), and in HTML the start of a tag. One character class, which the regexp engine scans for
// fast (\u034F, a combining character, first in it, where no linter reads it as joined to its
// neighbour); \uFEFF is whitespace to \s but invisible here, so never part of a run.
const INVISIBLE_CHARS = '\\u034F\\u00AD\\u180E\\u200B-\\u200F\\u2060-\\u2064\\uFEFF';
const SPECIAL_TEXT = new RegExp(`[${INVISIBLE_CHARS}\\n\\t\\r]`, 'g');
const SPECIAL_HTML = new RegExp(`[${INVISIBLE_CHARS}<\\n\\t\\r]`, 'g');
const BLANK = /^[^\S\uFEFF]$/;

/** Redacts secrets that are split in text — across elements, by a `<br>`, between table cells, by
 * zero-width characters or soft hyphens — and so escape the contiguous patterns of redactText: the
 * patterns run over joinedView and each match's secret characters are replaced in the original
 * (the first run of them by MARK, the others removed; markup and separators stay). */
export function redactJoined(text: string, artifact: string, log: RedactionLog, mode: 'text' | 'html'): string {
  const { view, at } = joinedView(text, mode);
  const spans = secretSpans(view).sort((a, b) => a.start - b.start);
  if (!spans.length) return text;
  // Original character ranges to replace, merged.
  const runs: [number, number, boolean][] = []; // [from, to, replace by MARK (else remove)]
  const perRule = new Map<string, number>();
  let lastEnd = -1;
  for (const sp of spans) {
    if (sp.start < lastEnd) continue; // overlaps one already taken
    // A key is joined from pieces; ordinary text is not: "sk-button-primary-large-outline" then a
    // block "Created" reads as one random-looking word. The secret's part before its last split must
    // be short or random-looking itself.
    let last = -1;
    for (let v = sp.start + 1; v < sp.end; v++) if (at(v) !== at(v - 1) + 1) last = v;
    if (last > 0) {
      const piece = view.slice(sp.start, last).split('\u0001').join('');
      if (piece.length >= 20 && !randomish(piece)) continue;
    }
    lastEnd = sp.end;
    log.secrets.add(sp.secret);
    perRule.set(sp.rule, (perRule.get(sp.rule) ?? 0) + 1);
    let first = true;
    for (let v = sp.start; v < sp.end;) {
      let w = v + 1;
      while (w < sp.end && at(w) === at(w - 1) + 1) w++;
      runs.push([at(v), at(w - 1) + 1, first]);
      first = false;
      v = w;
    }
  }
  let out = '';
  let pos = 0;
  for (const [from, to, mark] of runs) {
    out += text.slice(pos, from) + (mark ? MARK : '');
    pos = to;
  }
  out += text.slice(pos);
  for (const [rule, n] of perRule) log.add(rule, artifact, n);
  return out;
}

const EMAIL = /(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])([A-Za-z0-9._%+-]*)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONE = /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w])/g;

function applyRule(text: string, rule: Rule, artifact: string, log: RedactionLog): string {
  let n = 0;
  rule.re.lastIndex = 0;
  const out = text.replace(rule.re, (...args) => {
    const m = args.slice(0, -2) as unknown as RegExpExecArray;
    const rep = rule.replace(m);
    if (rep === null) return m[0];
    n++;
    log.secrets.add(rule.secret(m));
    return rep;
  });
  if (n) log.add(rule.name, artifact, n);
  return out;
}

/** Redacts every secret pattern in free text (HTML, plain text, JSON, MHTML parts). */
export function redactText(text: string, artifact: string, log: RedactionLog, opts: RedactOptions): string {
  let out = text;
  for (const rule of RULES) out = applyRule(out, rule, artifact, log);
  if (opts.maskEmails) {
    let n = 0;
    out = out.replace(EMAIL, (_all, first: string, _rest: string, domain: string) => { n++; return `${first}***@${domain}`; });
    if (n) log.add('email', artifact, n);
  }
  if (opts.maskPhones) {
    let n = 0;
    out = out.replace(PHONE, (all: string) => {
      const digits = all.replace(/\D/g, '');
      // Dates ("2026-11-30") share the shape; a phone has a country code, an area code in
      // parentheses, or at least ten digits.
      if (digits.length < 8 || digits.length > 15) return all;
      if (!all.includes('+') && !all.includes('(') && digits.length < 10) return all;
      n++;
      return `***${digits.slice(-2)}`;
    });
    if (n) log.add('phone', artifact, n);
  }
  return out;
}

/** Redacts the value of a credential-like field: patterns first, then any long random value. */
export function redactFieldValue(value: string, fieldName: string, artifact: string, log: RedactionLog, opts: RedactOptions): string {
  const v = redactText(value, artifact, log, opts);
  if (v === value && isKeyLikeName(fieldName) && looksHighEntropy(value)) {
    log.add('high_entropy', artifact);
    log.secrets.add(value.trim());
    return MARK;
  }
  return v;
}

const FRAG = 12;
const STRIDE = 4;

/** Secrets can be split across text nodes (`<span>sk-proj-</span><span>AbC…</span>`), so a
 * pattern seen in the joined text may survive in the markup as fragments. Probes of FRAG characters
 * every STRIDE characters guarantee that any run of FRAG+STRIDE-1 (15) or more characters of a
 * known secret is replaced here (docs/snapshot.md). */
export function scrubFragments(text: string, artifact: string, log: RedactionLog): string {
  if (log.secrets.size === 0) return text;
  let out = text;
  let n = 0;
  for (const secret of log.secrets) {
    if (secret.length < FRAG) continue;
    for (let i = 0; i + FRAG <= secret.length; i += STRIDE) {
      const probe = secret.slice(i, i + FRAG);
      let at = out.indexOf(probe);
      while (at >= 0) {
        // Grow the hit to the longest run that still belongs to the secret.
        let start = at, end = at + FRAG;
        const si = i;
        let back = 0;
        while (start > 0 && si - back - 1 >= 0 && out[start - 1] === secret[si - back - 1]) { start--; back++; }
        let fwd = 0;
        while (end < out.length && si + FRAG + fwd < secret.length && out[end] === secret[si + FRAG + fwd]) { end++; fwd++; }
        out = out.slice(0, start) + MARK + out.slice(end);
        n++;
        at = out.indexOf(probe, start + MARK.length);
      }
    }
  }
  if (n) log.add('fragment', artifact, n);
  return out;
}
