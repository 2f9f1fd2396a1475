/**
 * The scenario registry `bench/run.ts` walks. A *row* is one server measured in one *group*
 * (client_credentials, refresh_token, bound_refresh, memory, …); rows of a group are compared with
 * each other, and *targets* state the ratios a row must reach against another row of its group.
 *
 * Built-in rows: bench/peers/rows.ts (limit, oidc-provider) and bench/targets/tessera.ts. More rows
 * can be added without touching those files: any `bench/scenarios/*.ts` module is imported before
 * the run and may call `registerRow()` / `registerTarget()` at import time, e.g. Tessera's
 * device-bound refresh in the `bound_refresh` group with id `tessera`.
 */
import type { LoadResult } from './load.ts';

export type Role = 'limit' | 'peer' | 'tessera';

export interface RunContext {
  log: (s: string) => void;
  durationMs: number;
  warmupMs: number;
  connections: number;
  maxRequests: number;
  /** A scratch directory for this run (data folders etc.), removed at the end. */
  tmpDir: string;
  /** `Date.now()` by which the run should be over (`--budget`); long rows shorten their own limits to it. */
  deadline: number;
}

/** How the load process builds requests: a module exporting `createClient` and its params. */
export interface ClientSpec { module: string; params: unknown; setupConcurrency?: number }

export interface StartedServer {
  baseUrl: string;
  pid: number;
  client: ClientSpec;
  stop(): Promise<void>;
}

export interface ThroughputRow {
  kind: 'throughput';
  group: string;
  id: string;
  label: string;
  role: Role;
  /** Starts the server (own process) and says how to load it; throw `NotAvailable` to skip. */
  start(ctx: RunContext): Promise<StartedServer>;
}

export interface CustomRow {
  kind: 'custom';
  group: string;
  id: string;
  label: string;
  role: Role;
  run(ctx: RunContext): Promise<Record<string, unknown>>;
}

export type Row = ThroughputRow | CustomRow;

export interface Target {
  group: string;
  /** Row id that must reach the ratio … */
  row: string;
  /** … against this row id of the same group. */
  vs: string;
  /** Minimum throughput ratio row/vs. */
  min: number;
}

/** Thrown by `start()`/`run()` when a server cannot be benchmarked yet; the row is skipped with the message. */
export class NotAvailable extends Error {
  override readonly name = 'NotAvailable';
}

export interface RowResult {
  group: string;
  id: string;
  label: string;
  role: Role;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  load?: LoadResult;
  /** Server process CPU over the measured window (Linux /proc): a contended machine shows < ~0.95. */
  serverCpu?: { seconds: number; utilization: number; requestsPerCpuSecond: number; mainThreadUtilization?: number };
  data?: Record<string, unknown>;
}

export interface TargetResult extends Target {
  ratio: number | null;
  /** The same ratio on requests per server CPU-second: steadier when the machine is shared. */
  cpuRatio?: number | null;
  met: boolean | null;
  note?: string;
}

const rows: Row[] = [];
const targets: Target[] = [];

/** Adds a row; a row with the same group and id replaces the earlier one. */
export function registerRow(row: Row): void {
  const i = rows.findIndex((r) => r.group === row.group && r.id === row.id);
  if (i >= 0) rows[i] = row; else rows.push(row);
}

export function registerTarget(t: Target): void {
  if (!targets.some((x) => x.group === t.group && x.row === t.row && x.vs === t.vs)) targets.push(t);
}

/** Groups run in this order; unknown groups follow in registration order. */
export const GROUP_ORDER = ['client_credentials', 'refresh_token', 'bound_refresh', 'memory', 'modules'];

export function allRows(): Row[] {
  const rank = (g: string): number => { const i = GROUP_ORDER.indexOf(g); return i < 0 ? GROUP_ORDER.length : i; };
  return rows.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r.group) - rank(b.r.group) || a.i - b.i).map((x) => x.r);
}

export function allTargets(): Target[] { return [...targets]; }

/** Evaluates targets against measured throughput (req/s). */
export function evaluateTargets(results: RowResult[]): TargetResult[] {
  const find = (group: string, id: string): RowResult | undefined => results.find((x) => x.group === group && x.id === id && x.status === 'ok');
  const rps = (group: string, id: string): number | undefined => find(group, id)?.load?.rps;
  const perCpu = (group: string, id: string): number | undefined => find(group, id)?.serverCpu?.requestsPerCpuSecond;
  return targets.map((t) => {
    const a = rps(t.group, t.row);
    const b = rps(t.group, t.vs);
    if (a === undefined || b === undefined || b === 0) {
      return { ...t, ratio: null, met: null, note: `${a === undefined ? t.row : t.vs} not measured` };
    }
    const ratio = Math.round((a / b) * 100) / 100;
    const ca = perCpu(t.group, t.row);
    const cb = perCpu(t.group, t.vs);
    const cpuRatio = ca !== undefined && cb ? Math.round((ca / cb) * 100) / 100 : null;
    return { ...t, ratio, cpuRatio, met: ratio >= t.min };
  });
}

/** Selects rows by `--only` terms: a group (`refresh_token`), a row (`refresh_token/tessera`) or a row id (`tessera`). */
export function selectRows(all: Row[], only: string[] | undefined): Row[] {
  if (!only?.length) return all;
  return all.filter((r) => only.some((o) => o === r.group || o === `${r.group}/${r.id}` || o === r.id));
}
