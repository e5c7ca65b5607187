// A snapshot is acknowledged at its first commit (visible screenshot, DOM, text, settings); the
// full-page tiles and MHTML follow as a second commit of the same snapshot (docs/snapshot.md).
// Until then its notes say "follows: …" for what is still to come. Tests that read tiles or MHTML
// wait for that here, on the host's own record, rather than sleeping.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as H from './harness.mjs';

/** The note value of an artifact that a second commit will add. */
export const FOLLOWS = 'follows:';

function shown(sb, id) {
  const r = H.runCli(sb, ['show', id, '--json']);
  if (r.code !== 0) throw new Error(`ringfence show ${id}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Notes still waiting for the second commit ({} once it is stored or there is none). */
export function following(meta) {
  const notes = (meta.snapshot ?? meta).notes ?? {};
  return Object.fromEntries(Object.entries(notes).filter(([, v]) => String(v).startsWith(FOLLOWS)));
}

/** Resolves with `show --json` of snapshot id once its second commit is stored. */
export async function waitForAmended(sb, id, { timeout = 60_000 } = {}) {
  let last;
  try {
    return await H.waitFor(() => {
      last = shown(sb, id);
      return Object.keys(following(last)).length === 0 && last;
    }, { timeout, interval: 100, message: `the second commit of snapshot ${id}` });
  } catch (e) {
    throw new Error(`${e.message}; still following: ${JSON.stringify(last && following(last))}`);
  }
}

/** A copy of dist/<browser> with `extra` permissions and <all_urls> granted (moved out of the
 * optional set): the same code and extension id. An unpacked extension cannot be granted optional
 * permissions without a prompt, which headless browsers cannot answer. */
export function grantedCopy(sb, dist, extra) {
  const dir = path.join(sb.dir, `ext-${path.basename(dist)}`);
  cpSync(dist, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  m.permissions = [...m.permissions, ...extra];
  m.host_permissions = [...m.host_permissions, '<all_urls>'];
  delete m.optional_host_permissions;
  if (m.optional_permissions) m.optional_permissions = m.optional_permissions.filter((p) => !extra.includes(p));
  writeFileSync(file, JSON.stringify(m, null, 2));
  return dir;
}

/** An MHTML file's text with quoted-printable undone (soft breaks joined, =XX decoded). */
export function mhtmlText(buf) {
  return buf.toString('latin1').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** Whether an MHTML holds a secret mask as drawn for the screenshots (solid #111111 boxes). */
export function hasMask(buf) {
  return /#111111|rgb\(17, 17, 17\)/i.test(mhtmlText(buf));
}
