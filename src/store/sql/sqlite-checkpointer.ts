/**
 * WAL checkpoints for the embedded SQLite store, on a thread of their own.
 *
 * In WAL mode SQLite by default checkpoints inside whichever commit pushes the WAL past 1000 pages:
 * that commit copies the WAL back into the database file and fsyncs both, on the thread that
 * committed — here, the event loop serving token requests. Measured on this machine it cost more
 * than the rotation writes themselves (≈ 30–90 µs per refresh, amortised). So the request thread's
 * connection has automatic checkpoints off, and this worker, with its own connection to the same
 * file, runs `wal_checkpoint(PASSIVE)` every `intervalMs` (PASSIVE never blocks writers or readers;
 * what it cannot copy yet is copied next time). On close it runs a TRUNCATE checkpoint so the WAL
 * does not outlive the process. SQLite coordinates the two connections through its own locks
 * (https://www.sqlite.org/wal.html#checkpointing).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 2000');
const checkpoint = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); } };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.postMessage({ closed: true });
  parentPort.close();
});
`;

export interface Checkpointer {
  close(): Promise<void>;
}

export function startCheckpointer(path: string, opts: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const worker = new Worker(SOURCE, { eval: true, workerData: { module: BETTER_SQLITE3, path, intervalMs: opts.intervalMs ?? 1000 }, execArgv: [] });
  worker.unref();
  let closed: (() => void) | undefined;
  worker.on('message', (m: { error?: string; closed?: boolean }) => {
    if (m.error) opts.onError?.(m.error);
    if (m.closed) closed?.();
  });
  worker.on('error', (err) => opts.onError?.(err.message));
  return {
    async close() {
      const done = new Promise<void>((resolve) => {
        closed = resolve;
        worker.once('exit', () => resolve());
      });
      worker.ref();
      worker.postMessage('close');
      await done;
      await worker.terminate();
    },
  };
}
