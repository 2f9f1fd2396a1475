/** The `tessera` command: help, unknown commands, bad flags — one-line reasons, non-zero exits, no stack traces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import type { CliIO } from '../src/cli/command.ts';

function io(env: NodeJS.ProcessEnv = {}): CliIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), env, cwd: process.cwd(), isTTY: false };
}

test('tessera --help lists every command; each command has --help', async () => {
  const x = io();
  assert.equal(await main(['--help'], x), 0);
  const text = x.outLines.join('\n');
  for (const c of ['start', 'tenant create', 'query', 'logs import']) assert.match(text, new RegExp(c));
  for (const c of [['start'], ['tenant', 'create'], ['query'], ['logs', 'import']]) {
    const y = io();
    assert.equal(await main([...c, '--help'], y), 0);
    assert.match(y.outLines.join('\n'), /tessera /);
  }
});

test('garbage: unknown command, unknown flag, bad values', async () => {
  const a = io();
  assert.equal(await main(['frobnicate'], a), 2);
  assert.match(a.errLines[0]!, /unknown command 'frobnicate'/);
  const b = io();
  assert.equal(await main(['start', '--bogus'], b), 2);
  assert.equal(b.errLines.length, 1);
  assert.match(b.errLines[0]!, /Unknown option '--bogus'/);
  const c = io();
  assert.equal(await main(['start', '--port', 'eighty'], c), 1);
  assert.match(c.errLines[0]!, /TESSERA_PORT must be a non-negative integer/);
  const d = io();
  assert.equal(await main(['tenant', 'create'], d), 2);
  assert.match(d.errLines[0]!, /--domain is required/);
  for (const l of [...a.errLines, ...b.errLines, ...c.errLines, ...d.errLines]) assert.ok(!/\n|at .*:\d+/.test(l), `one line, no stack: ${l}`);
});

test('tenant create adds a tenant with generated credentials shown once; a duplicate domain is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  try {
    const a = io();
    assert.equal(await main(['tenant', 'create', '--domain', 'fabrikam.test', '--data', dir], a), 0, a.errLines.join());
    assert.match(a.outLines.join('\n'), /admin password: .+shown once/);
    const b = io();
    assert.equal(await main(['tenant', 'create', '--domain', 'fabrikam.test', '--data', dir], b), 1);
    assert.match(b.errLines[0]!, /already exists/);
    const c = io();
    assert.equal(await main(['tenant', 'create', '--domain', 'x.test', '--admin-password', 'short', '--data', dir], c), 1);
    assert.match(c.errLines[0]!, /8 to 256 characters/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
