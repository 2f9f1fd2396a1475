import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { catalogues } from './catalogues.ts';
import { parseFilter } from './filter-parser.ts';
import { runSqlContract } from './sql-contract.ts';
import { compileFilter, installSqliteFunctions } from './sql.ts';
import { openSqliteSignIns, sqliteColumns, sqliteColumnsEpochMs } from './sqlite-fixture.ts';

let db: Database.Database;
runSqlContract(
  'sqlite',
  async () => {
    db = openSqliteSignIns();
    return {
      dialect: 'sqlite',
      columns: sqliteColumns,
      idColumn: 's.id',
      select: async (where, params, orderBy) =>
        (db.prepare(`SELECT s.id FROM s WHERE ${where} ORDER BY ${orderBy}`).all(...params) as { id: string }[]).map((r) => r.id),
    };
  },
  async () => {
    db.close();
  },
);

let dbMs: Database.Database;
runSqlContract(
  'sqlite (instants as epoch ms)',
  async () => {
    dbMs = openSqliteSignIns();
    return {
      dialect: 'sqlite',
      columns: sqliteColumnsEpochMs,
      idColumn: 's.id',
      select: async (where, params, orderBy) =>
        (dbMs.prepare(`SELECT s.id FROM s WHERE ${where} ORDER BY ${orderBy}`).all(...params) as { id: string }[]).map((r) => r.id),
    };
  },
  async () => {
    dbMs.close();
  },
);

test('sqlite: without installSqliteFunctions only ASCII folds (documented degradation)', () => {
  const plain = new Database(':memory:');
  plain.exec("CREATE TABLE s (id TEXT, display_name TEXT); INSERT INTO s VALUES ('a', 'Élodie')");
  const { sql, params } = compileFilter(parseFilter("userDisplayName eq 'élodie'", catalogues.signIn), sqliteColumns, 'sqlite');
  assert.deepEqual(plain.prepare(`SELECT count(*) n FROM s WHERE ${sql}`).get(...params), { n: 0 });
  installSqliteFunctions(plain);
  assert.deepEqual(plain.prepare(`SELECT count(*) n FROM s WHERE ${sql}`).get(...params), { n: 1 });
  plain.close();
});

test('sqlite: the compiled SQL uses ? placeholders and binds booleans as integers', () => {
  const { sql, params } = compileFilter(parseFilter("isInteractive eq true and userPrincipalName eq 'a'", catalogues.signIn), sqliteColumns, 'sqlite');
  assert.equal(sql, "((s.is_interactive IS NOT NULL AND s.is_interactive = ?) AND (lower(s.upn) IS NOT NULL AND lower(s.upn) = lower(?)))");
  assert.deepEqual(params, [1, 'a']);
});

test('sqlite: a filter at the size limits still compiles and runs (no expression-depth or variable overflow)', () => {
  const db = openSqliteSignIns();
  const clauses = Array.from({ length: 120 }, (_, i) => `userPrincipalName eq '${i}'`).join(' or ');
  const f = parseFilter(`${'('.repeat(30)}${clauses}${')'.repeat(30)}`, catalogues.signIn);
  const { sql, params } = compileFilter(f, sqliteColumns, 'sqlite');
  assert.equal(params.length, 120);
  assert.deepEqual(db.prepare(`SELECT count(*) n FROM s WHERE ${sql}`).get(...params), { n: 0 });
  db.close();
});
