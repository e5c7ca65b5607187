// The unit test runner (scripts/test.mjs) must fail when it would run nothing: a mistyped filter or
// an empty test folder is not a passing suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = process.env.RF_EXT_ROOT ?? '';

function runner(cwd: string, ...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(cwd, 'scripts', 'test.mjs'), ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('a filter that matches no test file fails and says so', () => {
  assert.ok(root, 'RF_EXT_ROOT is set by scripts/test.mjs');
  const r = runner(root, 'zzznonexistent');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /no test file matches "zzznonexistent"/);
  assert.match(r.stderr, /runner\.test\.ts/, 'the message lists the files there are');
});

test('an empty test folder fails and says so', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rf-runner-'));
  try {
    mkdirSync(path.join(dir, 'scripts'));
    mkdirSync(path.join(dir, 'test'));
    cpSync(path.join(root, 'scripts', 'test.mjs'), path.join(dir, 'scripts', 'test.mjs'));
    cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    const r = runner(dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no \*\.test\.ts files in /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
