// Redaction inside MHTML (page.mhtml, Chromium pageCapture). Text parts are quoted-printable, so a
// secret can be split by soft line breaks and escapes: each text part is decoded, redacted and
// re-encoded; binary parts (images, fonts) are left as they are; headers are redacted as text.
import { redactText, scrubFragments, type RedactionLog, type RedactOptions } from '../shared/redact';

const ARTIFACT = 'page.mhtml';

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  return s;
}

function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function qpDecode(s: string): Uint8Array {
  const body = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(body.charCodeAt(i) & 0xff);
    }
  }
  return new Uint8Array(out);
}

export function qpEncode(bytes: Uint8Array): string {
  const lines: string[] = [];
  let line = '';
  const push = (tok: string): void => {
    if (line.length + tok.length > 75) { lines.push(`${line}=`); line = ''; }
    line += tok;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d && bytes[i + 1] === 0x0a) { lines.push(line); line = ''; i++; continue; }
    if (b === 0x0a) { lines.push(line); line = ''; continue; }
    const atEol = i + 1 >= bytes.length || bytes[i + 1] === 0x0d || bytes[i + 1] === 0x0a;
    if ((b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !atEol)) push(String.fromCharCode(b));
    else push(`=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  lines.push(line);
  return lines.join('\r\n');
}

function redactBoth(s: string, log: RedactionLog, opts: RedactOptions): string {
  return scrubFragments(redactText(s, ARTIFACT, log, opts), ARTIFACT, log);
}

function redactPart(part: string, log: RedactionLog, opts: RedactOptions): string {
  const split = part.search(/\r?\n\r?\n/);
  if (split < 0) return redactBoth(part, log, opts);
  const sepLen = part.slice(split).match(/^\r?\n\r?\n/)![0].length;
  const headers = redactBoth(part.slice(0, split), log, opts);
  let body = part.slice(split + sepLen);
  const type = /content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1]?.trim().toLowerCase() ?? '';
  const enc = /content-transfer-encoding:\s*([^\s;]+)/i.exec(headers)?.[1]?.toLowerCase() ?? '';
  const textual = type.startsWith('text/') || type.includes('xml') || type.includes('json') || type.includes('javascript');
  if (!textual) return headers + part.slice(split, split + sepLen) + body;
  const dec = new TextDecoder('utf-8');
  const encd = new TextEncoder();
  const trail = /\r?\n$/.exec(body)?.[0] ?? '';
  if (trail) body = body.slice(0, -trail.length);
  if (enc === 'quoted-printable') {
    body = qpEncode(encd.encode(redactBoth(dec.decode(qpDecode(body)), log, opts)));
  } else if (enc === 'base64') {
    const raw = dec.decode(fromLatin1(atob(body.replace(/\s+/g, ''))));
    const b64 = btoa(latin1(encd.encode(redactBoth(raw, log, opts))));
    body = b64.replace(/.{76}/g, '$&\r\n');
  } else {
    body = latin1(encd.encode(redactBoth(dec.decode(fromLatin1(body)), log, opts)));
  }
  return headers + part.slice(split, split + sepLen) + body + trail;
}

/** Returns the MHTML with every text part redacted. */
export function redactMhtml(bytes: Uint8Array, log: RedactionLog, opts: RedactOptions): Uint8Array {
  const s = latin1(bytes);
  const m = /boundary="?([^";\r\n]+)"?/i.exec(s.slice(0, 4096));
  if (!m) return fromLatin1(redactBoth(s, log, opts));
  const parts = s.split(`--${m[1]}`);
  // parts[0] holds the top-level headers; the last part is "--" (closing delimiter).
  const out = parts.map((p, i) => (i === 0 ? redactBoth(p, log, opts) : p.startsWith('--') ? p : redactPart(p, log, opts)));
  return fromLatin1(out.join(`--${m[1]}`));
}
