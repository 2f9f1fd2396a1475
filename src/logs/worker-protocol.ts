/** Messages between worker-store.ts (request thread) and analytics-worker-main.ts (DuckDB thread). */
import type { SignInEvent } from '../signin/event.ts';
import type { QueryOptions, SqlParam } from './analytics-store.ts';
import type { LogTableName } from './tables.generated.ts';

export type ToWorker =
  | { t: 'append'; rows: [LogTableName, Record<string, unknown>[]][]; signIns: SignInEvent[] }
  | { t: 'query'; id: number; sql: string; params: readonly SqlParam[]; opts: QueryOptions }
  | { t: 'flush'; id: number }
  | { t: 'prune'; id: number; now: number }
  | { t: 'close'; id: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: { name: string; message: string } }
  | { t: 'error'; message: string };
