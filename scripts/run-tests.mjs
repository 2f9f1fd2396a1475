#!/usr/bin/env node
// Runs the type checker, then every *.test.ts under src/, sdk/ and test/ with node's test runner (through tsx).
// Usage: node scripts/run-tests.mjs [--no-typecheck] [path-substring …]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const typecheck = !args.includes('--no-typecheck');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (typecheck) {
  console.log('# typecheck: tsc --noEmit');
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

let files = ['src', 'sdk', 'test'].flatMap((d) => walk(d, [])).sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (!files.length) { console.error('no test files matched'); process.exit(1); }

const res = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  ...files,
], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
process.exit(res.status ?? 1);
