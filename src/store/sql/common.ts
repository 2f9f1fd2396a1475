import { sql, type Kysely } from 'kysely';
import { StoreConflict } from '../types.ts';
import type { Database } from '../schema.ts';

export type Db = Kysely<Database>;

export const b = (v: boolean): number => (v ? 1 : 0);
export const nb = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);
export const bool = (v: number | null | undefined): boolean => v === 1 || (v as unknown) === true;
export const nbool = (v: number | null): boolean | null => (v === null ? null : bool(v));
export const json = <T>(s: string | null | undefined, fallback: T): T => {
  if (s === null || s === undefined || s === '') return fallback;
  return JSON.parse(s) as T;
};
export const num = (v: number | string | null | undefined): number => Number(v);
export const nnum = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** Runs an insert and turns a uniqueness violation into a `StoreConflict` (SQLite and PostgreSQL codes). */
export async function insertOrConflict(what: string, op: () => Promise<unknown>): Promise<void> {
  if (!(await insertIfAbsent(op))) throw new StoreConflict(`${what} already exists`);
}

const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: string }).code ?? '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
};

/** Runs an insert; false when the row already existed (a uniqueness violation), true when it was added. */
export async function insertIfAbsent(op: () => Promise<unknown>): Promise<boolean> {
  try {
    await op();
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

export const page = <T extends { limit: (n: number) => T; offset: (n: number) => T }>(q: T, opts?: { limit?: number; offset?: number }): T => {
  let r = q;
  if (opts?.limit !== undefined) r = r.limit(opts.limit);
  if (opts?.offset) r = (opts.limit === undefined ? r.limit(-1 >>> 1) : r).offset(opts.offset);
  return r;
};

/** Rows per DELETE statement of `deleteExpired` unless the caller says otherwise (`PurgeOptions`). */
export const PURGE_BATCH = 5_000;

/** Lets timers and I/O run (a `setImmediate` turn), so a long purge shares the event loop. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Deletes the rows of `table` whose `expires_at` is before `before`, `batchSize` at a time (a
 * subquery on the primary key: neither SQLite without its compile option nor PostgreSQL has
 * `DELETE … LIMIT`), yielding between statements until one deletes fewer than a batch. Each batch
 * is found through the table's `expires_at` index (migration 0006). Returns how many were deleted.
 */
export async function deleteExpiredInBatches(
  db: Db, table: 'auth_codes' | 'refresh_tokens' | 'device_codes' | 'sessions' | 'enrollment_tokens', key: string, before: number, batchSize = PURGE_BATCH,
): Promise<number> {
  const size = Math.max(1, Math.floor(batchSize));
  let total = 0;
  for (;;) {
    const r = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE expires_at < ${before} LIMIT ${size})`.execute(db);
    const n = Number(r.numAffectedRows ?? 0n);
    total += n;
    if (n < size) return total;
    await yieldToEventLoop();
  }
}
