// Import of the shared sign-in samples, the CLI commands (including garbage input) and the
// workspace query handler.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { command as importCommand } from '../../src/cli/commands/logs-import.ts';
import { command as queryCommand } from '../../src/cli/commands/query.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { openAnalyticsStore } from '../../src/logs/analytics-store.ts';
import { ImportError, importFile } from '../../src/logs/import.ts';
import { runKql } from '../../src/kql/run.ts';
import { handleWorkspaceQuery } from '../../src/kql/workspace-query.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const samples = join(root, '..', 'shared', 'corpus', 'signin-samples');

function io(): CliIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), env: {}, cwd: root, isTTY: false };
}

test('signin samples import (JSON lines and CSV) and can be queried', async () => {
  const store = await openAnalyticsStore({ path: ':memory:' });
  assert.equal(await importFile(store, 'SigninLogs', join(samples, 'msticpy', 'aad_logons.SigninLogs.jsonl')), 86);
  assert.equal(await importFile(store, 'SigninLogs', join(samples, 'azure-sentinel-training-lab', 'disable_accounts.csv')), 4);
  const res = await runKql(store, 'SigninLogs | where ResultType == "50057" | summarize n = count() by UserPrincipalName', { now: new Date() });
  const total = res.tables[0]!.rows.reduce((n, r) => n + Number(r[1]), 0);
  const direct = await store.query(`SELECT count(*) FROM SigninLogs WHERE ResultType = '50057'`);
  assert.equal(total, direct.rows[0]![0]);
  assert.ok(total >= 4, 'the disabled-account rows are there');
  await store.close();
});

test('a bad line is reported with line and column, and nothing is imported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-import-'));
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, '{"UserPrincipalName":"a","TimeGenerated":"2024-01-01T00:00:00Z"}\n{"UserPrincipalName":"b","DurationMs":"soon"}\nnot json\n');
  const store = await openAnalyticsStore({ path: ':memory:' });
  await assert.rejects(importFile(store, 'SigninLogs', file), (e: unknown) => {
    assert.ok(e instanceof ImportError);
    assert.deepEqual(e.issues.map((i) => [i.line, i.column]), [[3, undefined]]);
    return true;
  });
  writeFileSync(file, '{"UserPrincipalName":"a"}\n{"UserPrincipalName":"b","DurationMs":"soon"}\n');
  await assert.rejects(importFile(store, 'SigninLogs', file), /line 2, column DurationMs/);
  assert.deepEqual((await store.query('SELECT count(*) FROM SigninLogs')).rows, [[0]]);
  await store.close();
});

test('CLI: import then query, and garbage input fails with one line and a non-zero code', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tessera-data-'));
  const a = io();
  assert.equal(await importCommand.run([join(samples, 'msticnb', 'aad_signin_user.SigninLogs.jsonl'), '--table', 'SigninLogs', '--data', data], a), 0);
  assert.match(a.outLines[0]!, /imported 31 rows into SigninLogs/);
  const b = io();
  assert.equal(await queryCommand.run(['SigninLogs | count', '--format', 'json', '--data', data], b), 0);
  assert.deepEqual(JSON.parse(b.outLines[0]!).tables[0].rows, [[31]]);
  for (const args of [['SigninLogs | where'], ['Nope | take 1'], ['SigninLogs', '--format', 'xml'], [], ['x', '--bogus', '1']]) {
    const c = io();
    assert.notEqual(await queryCommand.run([...args, '--data', data], c), 0, args.join(' '));
    assert.equal(c.errLines.length, 1);
    assert.doesNotMatch(c.errLines[0]!, /\n|    at /);
  }
  for (const args of [['missing.jsonl', '--table', 'SigninLogs'], ['x.jsonl', '--table', 'NoSuchTable'], ['x.jsonl']]) {
    const c = io();
    assert.notEqual(await importCommand.run([...args, '--data', data], c), 0);
    assert.equal(c.errLines.length, 1);
  }
});

test('workspace query handler: Log Analytics shapes for results and errors', async () => {
  const store = await openAnalyticsStore({ path: ':memory:' });
  const now = new Date('2024-06-10T00:00:00Z');
  store.append('SigninLogs', [
    { TimeGenerated: '2024-06-09T00:00:00Z', UserPrincipalName: 'a', DeviceDetail: { os: 'Windows' } },
    { TimeGenerated: '2024-05-01T00:00:00Z', UserPrincipalName: 'b', DeviceDetail: { os: 'iOS' } },
  ]);
  const ok = await handleWorkspaceQuery(store, { query: 'SigninLogs | project UserPrincipalName, DeviceDetail', timespan: 'P7D' }, now);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { tables: [{ name: 'PrimaryResult', columns: [{ name: 'UserPrincipalName', type: 'string' }, { name: 'DeviceDetail', type: 'dynamic' }], rows: [['a', '{"os":"Windows"}']] }] });
  const bad = await handleWorkspaceQuery(store, { query: 'SigninLogs | evaluate basket(0.01)' }, now);
  assert.equal(bad.status, 400);
  const err = (bad.body as { error: { code: string; details: { code: string; line: number }[] } }).error;
  assert.equal(err.code, 'BadArgumentError');
  assert.equal(err.details[0]!.code, 'UnsupportedOperator');
  assert.equal((await handleWorkspaceQuery(store, 'nope', now)).status, 400);
  const capped = await handleWorkspaceQuery(store, { query: 'SigninLogs | project UserPrincipalName' }, now, { maxRows: 1 });
  assert.equal(capped.status, 200);
  const cb = capped.body as { tables: { rows: unknown[] }[]; error: { code: string } };
  assert.equal(cb.tables[0]!.rows.length, 1);
  assert.equal(cb.error.code, 'PartialError', 'past the record limit: rows so far plus a PartialError');
  assert.equal((await handleWorkspaceQuery(store, { query: 'SigninLogs', timespan: 'last week' }, now)).status, 400);
  await store.close();
});
