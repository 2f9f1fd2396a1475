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

test('policy import takes the whole real-world corpus (or refuses files naming the property), and export round-trips', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  try {
    assert.equal(await main(['tenant', 'create', '--domain', 'corp.test', '--data', dir], io()), 0);
    const a = io();
    const code = await main(['policy', 'import', '../shared/corpus/ca-policies', '--data', dir], a);
    const summary = a.outLines.at(-1)!;
    const [, imported, refused] = /^(\d+) imported, (\d+) refused$/.exec(summary)!.map(Number) as [number, number, number];
    assert.ok(imported >= 100, summary);
    assert.equal(code, refused ? 1 : 0);
    for (const l of a.outLines.filter((l) => l.startsWith('refused'))) assert.match(l, /^refused\s+\S.*: [\w.[\]@#]+: .+/);
    const out = join(dir, 'export');
    const b = io();
    assert.equal(await main(['policy', 'export', out, '--data', dir], b), 0);
    const dir2 = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    try {
      assert.equal(await main(['tenant', 'create', '--domain', 'copy.test', '--data', dir2], io()), 0);
      const c = io();
      assert.equal(await main(['policy', 'import', out, '--data', dir2], c), 0, c.outLines.join('\n'));
      assert.match(c.outLines.at(-1)!, new RegExp(`^\\d+ imported, 0 refused$`));
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
    const d = io();
    assert.equal(await main(['policy', 'import', '/no/such/path', '--data', dir], d), 1);
    assert.match(d.errLines[0]!, /no such file or folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
