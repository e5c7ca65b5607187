// Unit tests: bundles test/*.test.ts with esbuild (node target, deps external) into a temp dir
// and runs them with node:test. JSON imports and TS are handled by the bundler.
import { build } from 'esbuild';
import { readdir, mkdir, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `npm test -- match rules` runs only the test files whose path contains one of the words.
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const testDir = path.join(root, 'test');
const all = (await readdir(testDir, { recursive: true })).filter((f) => f.endsWith('.test.ts'));
const tests = all.filter((f) => !only.length || only.some((w) => f.includes(w)));
// With no files node --test would look for tests on its own (and find this script): a typo in a
// filter or an emptied folder would pass with nothing run.
if (tests.length === 0) {
  console.error(all.length === 0
    ? `ringfence: no *.test.ts files in ${testDir}`
    : `ringfence: no test file matches ${only.map((w) => JSON.stringify(w)).join(', ')} (files: ${all.join(', ')})`);
  process.exit(1);
}
// Inside node_modules so the bundles resolve happy-dom like the sources do.
const out = path.join(root, 'node_modules', '.cache', 'rf-unit');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
try {
  await build({
    entryPoints: tests.map((f) => path.join(testDir, f)), outdir: out, bundle: true,
    platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
    outExtension: { '.js': '.mjs' },
    define: { __BROWSER__: '"chrome"', __VERSION__: '"test"' },
  });
  const files = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.mjs')).map((f) => path.join(out, f));
  const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2).filter((a) => a.startsWith('-')), ...files], {
    stdio: 'inherit', cwd: root, env: { ...process.env, RF_EXT_ROOT: root },
  });
  process.exitCode = r.status ?? 1;
} finally {
  await rm(out, { recursive: true, force: true });
}
