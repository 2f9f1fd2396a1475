/**
 * The analytics store's worker thread: owns the DuckDB database (DuckDB allows one open instance
 * of a file per process, so reads run here too) and serves the messages of worker-store.ts in order.
 * Sign-in events arrive as events and are turned into table rows here, off the request thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAnalyticsStore, type AnalyticsStoreOptions } from './analytics-store.ts';
import type { ToWorker, FromWorker } from './worker-protocol.ts';

const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const opts = workerData as Omit<AnalyticsStoreOptions, 'onError'>;
const store = await openAnalyticsStore({ ...opts, onError: (err) => post({ t: 'error', message: err.message }) });

const errorOf = (err: unknown): { name: string; message: string } =>
  err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };

async function answer(id: number, fn: () => Promise<unknown>): Promise<void> {
  try {
    post({ t: 'result', id, ok: true, value: await fn() });
  } catch (err) {
    post({ t: 'result', id, ok: false, error: errorOf(err) });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'append':
      for (const [table, rows] of m.rows) store.append(table, rows);
      for (const e of m.signIns) store.appendSignIn(e);
      return;
    case 'query':
      void answer(m.id, () => store.query(m.sql, m.params, m.opts));
      return;
    case 'flush':
      void answer(m.id, () => store.flush());
      return;
    case 'prune':
      void answer(m.id, () => store.prune(new Date(m.now)));
      return;
    case 'close':
      // Answer first, then let the thread end.
      void answer(m.id, () => store.close()).then(() => port.close());
      return;
  }
});
post({ t: 'ready' });
