import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { SqliteGroupCommit } from './sqlite-group-commit.ts';
import type { Db } from './common.ts';

function open() {
  const raw = new BetterSqlite3(':memory:');
  raw.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const db = new Kysely<never>({ dialect: new SqliteDialect({ database: raw }) }) as unknown as Db;
  // Count transaction-control statements as they are prepared and run.
  const execs: string[] = [];
  const prepare = raw.prepare.bind(raw);
  (raw as { prepare: (s: string) => BetterSqlite3.Statement }).prepare = (s: string) => {
    const st = prepare(s);
    if (!/^(BEGIN|COMMIT)/.test(s)) return st;
    const run = st.run.bind(st);
    (st as { run: () => BetterSqlite3.RunResult }).run = () => { execs.push(s); return run(); };
    return st;
  };
  return { raw, db, execs, gc: new SqliteGroupCommit(raw, db), ins: raw.prepare('INSERT INTO t (k, v) VALUES (?, ?)') };
}

test('writes queued in one turn share one transaction and resolve after COMMIT', async () => {
  const { raw, gc, execs, ins } = open();
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => gc.run(() => ins.run(`k${i}`, i).changes)));
  assert.deepEqual(results, Array(50).fill(1));
  assert.equal(execs.filter((s) => s === 'BEGIN IMMEDIATE').length, 1);
  assert.equal(execs.filter((s) => s === 'COMMIT').length, 1);
  assert.equal((raw.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 50);
  assert.equal(raw.inTransaction, false);
});

test('a lone failing write leaves nothing behind', async () => {
  const { raw, gc, ins } = open();
  await gc.run(() => ins.run('a', 1));
  await assert.rejects(gc.run(() => { ins.run('b', 2); ins.run('a', 3); }), /UNIQUE/);
  assert.deepEqual(raw.prepare('SELECT k FROM t ORDER BY k').all(), [{ k: 'a' }]);
  assert.equal(raw.inTransaction, false);
});

test('a failing write rolls back alone; the others in its batch are committed', async () => {
  const { raw, gc, ins } = open();
  const outcomes = await Promise.allSettled([
    gc.run(() => ins.run('a', 1)),
    gc.run(() => { ins.run('b', 2); ins.run('a', 3); }), // second insert violates the key: 'b' must not stay either
    gc.run(() => ins.run('c', 3)),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.deepEqual(raw.prepare('SELECT k FROM t ORDER BY k').all(), [{ k: 'a' }, { k: 'c' }]);
});

test('a batch waits for an open Kysely transaction and is not part of its rollback', async () => {
  const { raw, db, gc, ins } = open();
  let queued: Promise<unknown> | undefined;
  await assert.rejects(db.transaction().execute(async (tx) => {
    await sql`INSERT INTO t (k, v) VALUES ('tx', 1)`.execute(tx);
    queued = gc.run(() => ins.run('batched', 2));
    await new Promise((r) => setTimeout(r, 20)); // the batch's turn comes while the transaction is open
    throw new Error('roll back');
  }), /roll back/);
  await queued;
  assert.deepEqual(raw.prepare('SELECT k FROM t ORDER BY k').all(), [{ k: 'batched' }]);
});
