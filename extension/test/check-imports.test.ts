// scripts/check-imports.mjs (run by npm run check): the real src/ passes; a cycle (type-only
// imports included) or an import across runtimes in a scratch tree fails and is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = process.env.RF_EXT_ROOT ?? process.cwd();
const script = path.join(root, 'scripts', 'check-imports.mjs');

function check(dir?: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rf-imports-'));
  for (const [f, code] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), code);
  }
  return dir;
}

test('extension/src has no import cycle and keeps its layers', () => {
  const r = check();
  assert.equal(r.status, 0, r.out);
});

test('a type-only cycle fails and is named', () => {
  const dir = tree({
    'background/host.ts': "import type { M } from '../shared/messages';\nexport const x: M | null = null;\n",
    'shared/messages.ts': "import type { S } from './snap';\nexport type M = S;\n",
    'shared/snap.ts': "// import { nothing } from './messages' in a comment is not an import\nimport type { M } from './messages';\nexport type S = { m?: M };\n",
  });
  try {
    const r = check(dir);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /cycle: shared\/messages\.ts → shared\/snap\.ts → shared\/messages\.ts/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('page code importing the service worker fails', () => {
  const dir = tree({
    'background/host.ts': 'export const request = 1;\n',
    'pages/popup/popup.ts': "import { request } from '../../background/host';\nexport const y = request;\n",
  });
  try {
    const r = check(dir);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /layering: pages\/popup\/popup\.ts imports background\/host\.ts/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
