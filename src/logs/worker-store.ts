/**
 * The analytics store on a worker thread: the same `AnalyticsStore` contract as the in-process
 * store (analytics-store.ts), with DuckDB — appends, batch flushes and queries — running on its own
 * thread (analytics-worker-main.ts).
 *
 * Why: writing a sign-in row costs ≈ 30–50 µs of CPU (row building, coercion, one appender call
 * per cell), measured here as ≈ 10% of a refresh request. On the request thread that is time the
 * token endpoint cannot serve; on the worker it runs on another core. The request thread only
 * queues what it appends and hands it over once per event-loop turn (one structured clone per
 * batch, ≈ 4 µs per sign-in event).
 *
 * Ordering: appends and requests share one message channel, so a `query()` or `flush()` sees every
 * append made before it was called (reads see their own writes, as in-process).
 */
import { Worker } from 'node:worker_threads';
import type { SignInEvent } from '../signin/event.ts';
import { isLogTableName } from './schema.ts';
import { QueryTimeoutError, type AnalyticsStore, type AnalyticsStoreOptions, type QueryOptions, type QueryResult, type SqlParam } from './analytics-store.ts';
import type { LogTableName } from './tables.generated.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const ENTRY = new URL('./analytics-worker.mjs', import.meta.url);

export async function openAnalyticsStoreInWorker(opts: AnalyticsStoreOptions): Promise<AnalyticsStore> {
  const { onError, ...data } = opts;
  // No inherited loader or inspector flags: the entry registers tsx itself.
  const worker = new Worker(ENTRY, { workerData: data, execArgv: [] });
  const store = new WorkerAnalyticsStore(worker, opts.retentionDays, onError ?? ((err) => process.stderr.write(`analytics store: ${err.message}\n`)));
  await store.ready;
  return store;
}

type Waiter = { resolve: (v: unknown) => void; reject: (e: Error) => void };

class WorkerAnalyticsStore implements AnalyticsStore {
  readonly ready: Promise<void>;
  private rows = new Map<LogTableName, Record<string, unknown>[]>();
  private signIns: SignInEvent[] = [];
  private scheduled = false;
  private nextId = 1;
  private waiters = new Map<number, Waiter>();
  private closed = false;
  private closing = false;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker, readonly retentionDays: number | undefined, private readonly onError: (err: Error) => void) {
    let started: (() => void) | undefined;
    let failed: ((e: Error) => void) | undefined;
    this.ready = new Promise<void>((resolve, reject) => { started = resolve; failed = reject; });
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'ready') {
        // Until now the worker kept the process alive (it is opening the database); from here on only owed answers do.
        if (this.waiters.size === 0) worker.unref();
        started?.();
      }
      else if (m.t === 'error') this.onError(new Error(m.message));
      else {
        const w = this.waiters.get(m.id);
        if (!w) return;
        this.waiters.delete(m.id);
        if (this.waiters.size === 0) worker.unref();
        if (m.ok) w.resolve(m.value);
        else w.reject(rebuild(m.error));
      }
    });
    const die = (err: Error): void => {
      this.failure ??= err;
      failed?.(err);
      for (const w of this.waiters.values()) w.reject(err);
      this.waiters.clear();
      worker.unref();
    };
    worker.on('error', (err) => die(new Error(`analytics worker failed: ${err.message}`)));
    worker.on('exit', (code) => {
      const err = new Error(`analytics worker exited (code ${code})`);
      if (!this.closing) this.onError(err);
      die(err);
    });
  }

  append(table: LogTableName, rows: Record<string, unknown>[]): void {
    this.usable();
    if (!isLogTableName(table)) throw new Error(`unknown log table ${table}`);
    if (rows.length === 0) return;
    let buf = this.rows.get(table);
    if (!buf) this.rows.set(table, (buf = []));
    for (const r of rows) buf.push(r);
    this.schedule();
  }

  appendSignIn(e: SignInEvent): void {
    this.usable();
    this.signIns.push(e);
    this.schedule();
  }

  flush(): Promise<void> {
    return this.request<void>({ t: 'flush' });
  }

  query(sql: string, params: readonly SqlParam[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    return this.request<QueryResult>({ t: 'query', sql, params: [...params], opts });
  }

  prune(now: Date): Promise<number> {
    return this.request<number>({ t: 'prune', now: now.getTime() });
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    const bye = this.failure ? Promise.resolve() : this.request<void>({ t: 'close' }).catch((err: unknown) => this.onError(err as Error));
    this.closing = true;
    await bye;
    this.closed = true;
    await this.worker.terminate();
  }

  private usable(): void {
    if (this.closed || this.closing) throw new Error('analytics store is closed');
    if (this.failure) throw this.failure;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.handOver());
  }

  /** Posts everything appended so far, in one message. */
  private handOver(): void {
    this.scheduled = false;
    if (this.rows.size === 0 && this.signIns.length === 0) return;
    const m: ToWorker = { t: 'append', rows: [...this.rows.entries()], signIns: this.signIns };
    this.rows = new Map();
    this.signIns = [];
    if (this.failure) return;
    try {
      this.worker.postMessage(m);
    } catch (err) {
      // A value that cannot be cloned (a function, a symbol): the rows are dropped and reported, like bad values in-process.
      this.onError(new Error(`rows dropped: ${(err as Error).message}`));
    }
  }

  private request<T>(body: DistributiveOmit<ToWorker, 'id'>): Promise<T> {
    try {
      this.usable();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    // Appends made before this call go first, so the request sees them.
    this.handOver();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // An idle worker does not keep the process alive; one with an answer owed does.
      if (this.waiters.size === 0) this.worker.ref();
      this.waiters.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id } as ToWorker);
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function rebuild(e: { name: string; message: string }): Error {
  if (e.name === 'QueryTimeoutError') return new QueryTimeoutError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
