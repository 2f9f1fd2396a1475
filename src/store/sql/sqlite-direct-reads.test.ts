import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { migrations } from '../migrations.ts';
import { userStore } from './directory.ts';
import { withDirectUserReads } from './sqlite-direct-reads.ts';

test('a direct user read never sees an open Kysely transaction\'s uncommitted change', async () => {
  const raw = new BetterSqlite3(':memory:');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations('sqlite') } }).migrateToLatest();
  assert.ifError(error);
  const users = withDirectUserReads(raw, userStore(db));
  const now = Date.now();
  await users.create({ id: 'u1', tenantId: 't1', userPrincipalName: 'ada@x.test', displayName: 'Ada', givenName: null, surname: null, mail: null, accountEnabled: true, userType: 'Member', passwordHash: null, totpSecret: null, signInSessionsValidFrom: 0, createdAt: now, updatedAt: now, extra: {} });
  assert.equal((await users.get('t1', 'u1'))?.displayName, 'Ada');
  let read: Promise<unknown> | undefined;
  await assert.rejects(db.transaction().execute(async (tx) => {
    await sql`UPDATE users SET display_name = 'Mallory', account_enabled = 0 WHERE id = 'u1'`.execute(tx);
    read = users.get('t1', 'u1'); // while the transaction is open
    await new Promise((r) => setTimeout(r, 10));
    throw new Error('roll back');
  }), /roll back/);
  const seen = await read as { displayName: string; accountEnabled: boolean };
  assert.equal(seen.displayName, 'Ada');
  assert.equal(seen.accountEnabled, true);
  await db.destroy();
});
