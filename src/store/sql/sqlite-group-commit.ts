/**
 * Group commit for SQLite writes on the token hot path.
 *
 * In WAL mode a commit costs far more than the rows it writes (measured here: an autocommit
 * INSERT ≈ 60 µs, the same INSERT inside a transaction ≈ 10 µs — the difference is the WAL frame
 * write and lock handoff of every commit). Token requests arrive many per event-loop turn, so the
 * writes queued during one turn are run together in one transaction at the end of it, each in its
 * own savepoint (a failing write rolls back alone), and every caller is answered only after the
 * COMMIT returned: nobody is told "rotated" before it is durable. The write functions are
 * synchronous better-sqlite3 calls, so a batch never interleaves with other JavaScript.
 *
 * The connection is shared with Kysely (one better-sqlite3 handle per store). Kysely's SQLite
 * transactions span awaits, so a batch must not start while one is open: when the handle is inside
 * a transaction the batch waits for Kysely's connection (its mutex) and runs while holding it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './common.ts';

interface Pending {
  write: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class SqliteGroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly raw: BetterSqlite3.Database, private readonly db: Db) {}

  /** Runs `write` (synchronous, on the raw handle) in the next group transaction; resolves after COMMIT. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (!this.raw.inTransaction) {
      this.commit(batch);
      return;
    }
    // A Kysely transaction is open on this handle: wait for it to release the connection.
    this.db.connection().execute(async () => this.commit(batch)).catch((err: unknown) => {
      for (const p of batch) p.reject(err);
    });
  }

  private commit(batch: Pending[]): void {
    const tx = this.statements();
    try {
      tx.begin.run();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      if (batch.length === 1) {
        // One write: the transaction itself is its savepoint.
        try {
          results.push({ ok: true, value: batch[0]!.write() });
        } catch (err) {
          tx.rollback.run();
          batch[0]!.reject(err);
          return;
        }
      } else {
        for (const p of batch) {
          tx.savepoint.run();
          try {
            results.push({ ok: true, value: p.write() });
            tx.release.run();
          } catch (err) {
            tx.rollbackTo.run();
            tx.release.run();
            results.push({ ok: false, value: err });
          }
        }
      }
      tx.commit.run();
    } catch (err) {
      // The COMMIT (or a savepoint statement) failed: nothing of this batch is durable.
      if (this.raw.inTransaction) {
        try { this.raw.exec('ROLLBACK'); } catch { /* already rolled back by SQLite */ }
      }
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.value);
    });
  }

  private tx: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', BetterSqlite3.Statement> | undefined;

  /** Transaction-control statements, prepared once (cheaper than parsing them per batch). */
  private statements(): NonNullable<SqliteGroupCommit['tx']> {
    this.tx ??= {
      begin: this.raw.prepare('BEGIN IMMEDIATE'),
      commit: this.raw.prepare('COMMIT'),
      rollback: this.raw.prepare('ROLLBACK'),
      savepoint: this.raw.prepare('SAVEPOINT w'),
      release: this.raw.prepare('RELEASE w'),
      rollbackTo: this.raw.prepare('ROLLBACK TO w'),
    };
    return this.tx;
  }
}
