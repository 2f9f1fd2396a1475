import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { startCheckpointer } from './sqlite-checkpointer.ts';

test('the checkpointer moves WAL pages into the database file while another connection writes, and truncates the WAL on close', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tessera-ckpt-')), 'db.sqlite');
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
  const ckpt = startCheckpointer(path, { intervalMs: 20 });
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const before = statSync(path).size;
  for (let i = 0; i < 50; i++) ins.run('x'.repeat(2000));
  for (let i = 0; i < 100 && statSync(path).size <= before; i++) await sleep(20);
  assert.ok(statSync(path).size > before, 'pages reached the database file without an automatic checkpoint');
  db.close();
  await ckpt.close();
  assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0, 'WAL truncated');
  const again = new BetterSqlite3(path, { readonly: true });
  assert.equal((again.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 50);
  again.close();
});
