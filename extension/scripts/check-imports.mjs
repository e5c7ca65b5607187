// Fails on an import cycle in src/ or an import across runtimes. Reads every import and re-export
// of every .ts file under src/, `import type` included (a type-only cycle is still a tangle, and
// esbuild's own graph drops those), and resolves relative specifiers as the bundler does.
// Layering: a file in background/, content/, injected/ or pages/<page>/ imports only from its own
// folder and from shared/; shared/ imports only from shared/.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = process.argv[2] ? path.resolve(process.argv[2])
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f));

// Comments out first, so an example in a comment is not an import.
const stripComments = (code) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
const SPECIFIERS = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];
const exists = (p) => stat(p).then((s) => s.isFile(), () => false);
async function resolve(from, spec) {
  if (!spec.startsWith('.')) return null; // a package, not ours
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, path.join(base, 'index.ts')]) if (await exists(c)) return c;
  throw new Error(`${path.relative(src, from)}: cannot resolve ${spec}`);
}

const rel = (p) => path.relative(src, p).split(path.sep).join('/');
const graph = new Map();
for (const f of files) {
  const code = stripComments(await readFile(f, 'utf8'));
  const deps = new Set();
  for (const re of SPECIFIERS) {
    for (const m of code.matchAll(re)) {
      const to = await resolve(f, m[1]);
      if (to) deps.add(rel(to));
    }
  }
  graph.set(rel(f), [...deps]);
}

/** The layer a file belongs to: "shared", "background", "content", "injected", "pages/popup", … */
function layer(f) {
  const [top, sub] = f.split('/');
  return top === 'pages' ? `pages/${sub}` : top;
}

const problems = [];
for (const [from, deps] of graph) {
  if (from.startsWith('..')) continue;
  for (const to of deps) {
    const a = layer(from), b = layer(to);
    if (a !== b && b !== 'shared') problems.push(`layering: ${from} imports ${to} (${a} may import only ${a === 'shared' ? 'shared' : `${a} and shared`})`);
  }
}

// Cycles: depth-first search, reporting each cycle once by its path.
const state = new Map(); // 1 = on the stack, 2 = done
const stack = [];
function visit(f) {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1) problems.push(`cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' → ')}`);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);

if (problems.length) {
  console.error(`ringfence: import check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`ringfence: imports ok (${graph.size} files, no cycle, layers respected)`);
