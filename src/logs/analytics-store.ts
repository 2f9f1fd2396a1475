/**
 * The analytics store: Log Analytics identity tables in DuckDB (an embedded file, or `:memory:`).
 *
 * Writes are buffered per table and flushed in batches through DuckDB's appender, off the request
 * path: a flush starts when a table's buffer reaches `batchSize` rows or `flushIntervalMs` after the
 * first buffered row, whichever comes first. Reads (`query`) first wait for buffered rows to land,
 * so a caller sees its own writes. Only one flush runs at a time; `append` never blocks and never
 * throws for a bad value: a row with a value its column cannot hold is dropped (the rest of its
 * batch is written) and reported — to the caller of an explicit `flush()` as a rejection, and to
 * `onError` for timer flushes and reads — so one producer's bad row cannot stall the pipeline.
 */
import { DuckDBInstance, StatementType } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { coerceValue } from './coerce.ts';
import { addMissingColumnsSql, columnsOf, createTableSql, isLogTableName, quoteIdent, tableNames } from './schema.ts';
import { toQueryResult } from './result.ts';
import type { QueryResult, SqlParam } from './result.ts';
import type { LogTableName } from './tables.generated.ts';
import type { SignInEvent } from '../signin/event.ts';
import { toTableRow } from '../signin/table-row.ts';

export type { QueryResult, SqlParam } from './result.ts';

export interface AnalyticsStoreOptions {
  /** A DuckDB file path, or `':memory:'`. */
  path: string;
  /** Rows older than this many days are removed by `prune`. Unset: keep everything. */
  retentionDays?: number;
  /** Rows per table that trigger a flush (default 5,000). */
  batchSize?: number;
  /** Longest a buffered row waits before a flush starts (default 250 ms). */
  flushIntervalMs?: number;
  /** Told about rows dropped by a background flush (bad values); default writes to stderr. */
  onError?: (err: Error) => void;
}

export interface QueryOptions {
  /** Cancel the statement after this long (it then rejects with a QueryTimeoutError). */
  timeoutMs?: number;
}

export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

export interface AnalyticsStore {
  /** Buffer rows (objects keyed by column name) for `table`; unknown keys are ignored, missing columns are NULL. */
  append(table: LogTableName, rows: Record<string, unknown>[]): void;
  /** Buffer one finished sign-in for its table (SigninLogs, AADNonInteractiveUserSignInLogs or AADServicePrincipalSignInLogs). */
  appendSignIn(e: SignInEvent): void;
  /** Write every buffered row now. Rejects (after writing the good rows) if some row had a value its column cannot hold. */
  flush(): Promise<void>;
  /**
   * One read-only SQL statement with `$1`-style (or `?`) parameters. Anything but a SELECT-like
   * statement is refused, so a caller cannot write through this door.
   */
  query(sql: string, params?: readonly SqlParam[], opts?: QueryOptions): Promise<QueryResult>;
  /** Delete rows whose TimeGenerated is older than `now - retentionDays`; returns rows removed. */
  prune(now: Date): Promise<number>;
  close(): Promise<void>;
  readonly retentionDays: number | undefined;
}

const readOnlyStatements = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

export async function openAnalyticsStore(opts: AnalyticsStoreOptions): Promise<AnalyticsStore> {
  const instance = await DuckDBInstance.create(opts.path);
  const writer = await instance.connect();
  const reader = await instance.connect();
  for (const t of tableNames) {
    await writer.run(createTableSql(t));
    for (const alter of addMissingColumnsSql(t)) await writer.run(alter);
  }
  return new DuckAnalyticsStore(instance, writer, reader, opts);
}

class DuckAnalyticsStore implements AnalyticsStore {
  readonly retentionDays: number | undefined;
  private readonly buffers = new Map<LogTableName, Record<string, unknown>[]>();
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly onError: (err: Error) => void;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    opts: AnalyticsStoreOptions,
  ) {
    this.retentionDays = opts.retentionDays;
    this.batchSize = opts.batchSize ?? 5000;
    this.intervalMs = opts.flushIntervalMs ?? 250;
    this.onError = opts.onError ?? ((err) => process.stderr.write(`analytics store: ${err.message}\n`));
  }

  append(table: LogTableName, rows: Record<string, unknown>[]): void {
    if (this.closed) throw new Error('analytics store is closed');
    if (!isLogTableName(table)) throw new Error(`unknown log table ${table}`);
    if (rows.length === 0) return;
    let buf = this.buffers.get(table);
    if (!buf) this.buffers.set(table, (buf = []));
    for (const r of rows) buf.push(r);
    this.buffered += rows.length;
    if (this.buffered >= this.batchSize) this.schedule(0);
    else this.schedule(this.intervalMs);
  }

  appendSignIn(e: SignInEvent): void {
    const { table, row } = toTableRow(e);
    this.append(table, [row]);
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))));
    }, delayMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batches = [...this.buffers.entries()];
    this.buffers.clear();
    this.buffered = 0;
    const run = this.chain.then(() => this.write(batches));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(batches: [LogTableName, Record<string, unknown>[]][]): Promise<void> {
    const problems: string[] = [];
    for (const [table, rows] of batches) {
      const { cells, bad } = coerceRows(table, rows);
      if (cells.length) await appendCells(this.writer, table, cells);
      problems.push(...bad);
    }
    if (problems.length) {
      throw new Error(`${problems.length} row(s) dropped: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`);
    }
  }

  async query(sql: string, params: readonly SqlParam[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    if (this.closed) throw new Error('analytics store is closed');
    // Read your writes; a bad buffered row is the producer's problem, reported, not the reader's.
    await this.flush().catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))));
    // A statement with a time limit gets a connection of its own, so interrupting it cannot
    // cancel anyone else's statement on the shared reader connection.
    const conn = opts.timeoutMs ? await this.instance.connect() : this.reader;
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          conn.interrupt();
        }, opts.timeoutMs)
      : undefined;
    try {
      const stmt = await conn.prepare(sql);
      if (!readOnlyStatements.has(stmt.statementType)) {
        stmt.destroySync();
        throw new Error('only read-only statements (SELECT) may run through query()');
      }
      try {
        params.forEach((p, i) => bindParam(stmt, i + 1, p));
        const reader = await stmt.runAndReadAll();
        return toQueryResult(reader);
      } finally {
        stmt.destroySync();
      }
    } catch (err) {
      if (timedOut) throw new QueryTimeoutError(`the statement was cancelled after ${opts.timeoutMs} ms`);
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      if (conn !== this.reader) conn.closeSync();
    }
  }

  async prune(now: Date): Promise<number> {
    if (this.retentionDays === undefined) return 0;
    await this.flush();
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000).toISOString().replace('Z', '');
    let removed = 0;
    for (const t of tableNames) {
      if (!columnsOf(t).some((c) => c.name === 'TimeGenerated')) continue;
      const res = await this.writer.run(`DELETE FROM ${quoteIdent(t)} WHERE "TimeGenerated" < CAST($1 AS TIMESTAMP)`, [cutoff]);
      removed += res.rowsChanged;
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))));
    this.closed = true;
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }
}

type Prepared = Awaited<ReturnType<DuckDBConnection['prepare']>>;

function bindParam(stmt: Prepared, index: number, p: SqlParam): void {
  if (p === null) stmt.bindNull(index);
  else if (typeof p === 'string') stmt.bindVarchar(index, p);
  else if (typeof p === 'boolean') stmt.bindBoolean(index, p);
  else if (typeof p === 'bigint') stmt.bindBigInt(index, p);
  else if (p instanceof Date) stmt.bindVarchar(index, p.toISOString());
  else if (Number.isInteger(p)) stmt.bindBigInt(index, BigInt(p));
  else stmt.bindDouble(index, p);
}

type Cells = (string | null)[][];

/** Coerces every value; rows with a value their column cannot hold are left out and described. */
export function coerceRows(table: LogTableName, rows: readonly Record<string, unknown>[]): { cells: Cells; bad: string[] } {
  const cols = columnsOf(table);
  const cells: Cells = [];
  const bad: string[] = [];
  rows.forEach((row, i) => {
    try {
      cells.push(cols.map((c) => {
        try {
          return coerceValue(c.type, row[c.name]);
        } catch (err) {
          throw new Error(`${table} row ${i + 1}, column ${c.name}: ${(err as Error).message}`);
        }
      }));
    } catch (err) {
      bad.push((err as Error).message);
    }
  });
  return { cells, bad };
}

/** Appends coerced rows in one appender session (DuckDB casts each VARCHAR to the column type). */
async function appendCells(conn: DuckDBConnection, table: LogTableName, cells: Cells): Promise<void> {
  const appender = await conn.createAppender(table);
  try {
    for (const r of cells) {
      for (const v of r) {
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
