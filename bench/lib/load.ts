/**
 * A bounded HTTP load generator for loopback benchmarks.
 *
 * N virtual clients each own one keep-alive connection (a minimal HTTP/1.1 client, raw-http.ts) and loop:
 * ask their `VirtualClient` for the next request, send it, wait for the full response, hand it back
 * (so refresh-token chains carry state), repeat. The run is bounded by duration AND by a maximum
 * measured request count; requests completed during the warm-up are not measured.
 *
 * `runLoad()` runs in the calling process (used by the load worker and tests); `runLoadInChild()`
 * forks `load-worker.ts` so the load never shares an event loop with the server under test.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawConnection } from './raw-http.ts';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface VirtualClient {
  /** The next request of this virtual client. */
  next(): LoadRequest | Promise<LoadRequest>;
  /** Sees every response (status 0 = transport error or timeout). */
  onResponse?(status: number, body: string, headers: Record<string, string>): void;
  /** Client-specific counters, summed over clients into `LoadResult.counters`. */
  counters?(): Record<string, number>;
}

/** A client module exports this as `createClient`; it may do setup (e.g. obtain a refresh token). */
export type ClientFactory = (index: number, params: unknown, ctx: { baseUrl: string }) => VirtualClient | Promise<VirtualClient>;

export interface LoadOptions {
  /** `http://127.0.0.1:PORT` — only loopback targets are accepted. */
  baseUrl: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  /** Upper bound on measured requests (the run stops early when reached). */
  maxRequests: number;
  /** Per-request timeout; a timed-out request counts as an error. */
  timeoutMs?: number;
}

/** Called when the measured window opens and when the run ends (e.g. to sample the server's CPU time). */
export interface LoadHooks { onMeasureStart?(): void; onMeasureEnd?(): void }

export interface LoadResult {
  requests: number;
  errors: number;
  /** Non-2xx status codes (and 0 for transport errors) seen in the measured window. */
  statusCounts: Record<string, number>;
  elapsedMs: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  warmupRequests: number;
  connections: number;
  stoppedBy: 'duration' | 'maxRequests';
  counters: Record<string, number>;
  /** First few distinct error bodies, to explain failures. */
  errorSamples: string[];
}

export function assertLoopback(baseUrl: string): URL {
  const u = new URL(baseUrl);
  if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    throw new Error(`load target must be http on loopback, got ${baseUrl}`);
  }
  return u;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** Runs the load in this process against already-created virtual clients. */
export async function runLoad(opts: LoadOptions, clients: VirtualClient[], hooks: LoadHooks = {}): Promise<LoadResult> {
  const target = assertLoopback(opts.baseUrl);
  if (clients.length === 0) throw new Error('no virtual clients');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 80);
  const cap = Math.max(1, Math.floor(opts.maxRequests));
  const latencies = new Float64Array(cap);
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  let measured = 0;
  let errors = 0;
  let warmupRequests = 0;
  let stoppedBy = 'duration' as LoadResult['stoppedBy'];

  const t0 = performance.now();
  const measureFrom = t0 + opts.warmupMs;
  const deadline = measureFrom + opts.durationMs;
  let lastEnd = measureFrom;
  let stop = false;

  const conns: RawConnection[] = [];
  const loop = async (vc: VirtualClient): Promise<void> => {
    const conn = new RawConnection(host, port);
    conns.push(conn);
    // Bounded: every iteration either ends the loop or adds to a counter checked against cap/deadline.
    while (!stop) {
      const req = await vc.next();
      const start = performance.now();
      const reply = await conn.request(req, timeoutMs);
      const end = performance.now();
      vc.onResponse?.(reply.status, reply.body, reply.headers);
      if (stop || end > deadline) { stop = true; break; }
      if (start < measureFrom) {
        warmupRequests++;
        continue;
      }
      latencies[measured++] = end - start;
      if (end > lastEnd) lastEnd = end;
      if (reply.status < 200 || reply.status > 299) {
        errors++;
        statusCounts[String(reply.status)] = (statusCounts[String(reply.status)] ?? 0) + 1;
        if (errorSamples.length < 3 && !errorSamples.some((s) => s.startsWith(`${reply.status} `))) {
          errorSamples.push(`${reply.status} ${reply.body.slice(0, 300)}`);
        }
      }
      if (measured >= cap) { stop = true; stoppedBy = 'maxRequests'; }
    }
  };

  const timer = setTimeout(() => { stop = true; }, opts.warmupMs + opts.durationMs + timeoutMs + 1000);
  const markStart = setTimeout(() => hooks.onMeasureStart?.(), opts.warmupMs);
  try {
    await Promise.all(clients.map((c) => loop(c)));
  } finally {
    hooks.onMeasureEnd?.();
    clearTimeout(timer);
    clearTimeout(markStart);
    for (const c of conns) c.close();
  }

  const elapsedMs = Math.max(1, stoppedBy === 'maxRequests' ? lastEnd - measureFrom : opts.durationMs);
  const sorted = latencies.slice(0, measured).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const counters: Record<string, number> = {};
  for (const c of clients) {
    for (const [k, v] of Object.entries(c.counters?.() ?? {})) counters[k] = (counters[k] ?? 0) + v;
  }
  return {
    requests: measured,
    errors,
    statusCounts,
    elapsedMs: round(elapsedMs),
    rps: round((measured / elapsedMs) * 1000),
    latencyMs: {
      p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1] ?? 0 : 0), mean: round(measured ? sum / measured : 0),
    },
    warmupRequests,
    connections: clients.length,
    stoppedBy,
    counters,
    errorSamples,
  };
}

/** Creates `connections` clients from a factory, in parallel batches of at most `setupConcurrency`. */
export async function createClients(factory: ClientFactory, params: unknown, opts: { baseUrl: string; connections: number; setupConcurrency?: number }): Promise<VirtualClient[]> {
  const out: VirtualClient[] = [];
  const batch = Math.max(1, opts.setupConcurrency ?? 8);
  for (let i = 0; i < opts.connections; i += batch) {
    const n = Math.min(batch, opts.connections - i);
    out.push(...await Promise.all(Array.from({ length: n }, (_, k) => factory(i + k, params, { baseUrl: opts.baseUrl }))));
  }
  return out;
}

export interface ChildLoadSpec extends LoadOptions {
  /** Absolute path of a module exporting `createClient: ClientFactory`. */
  clientModule: string;
  clientParams: unknown;
  setupConcurrency?: number;
  /** Hard limit for the whole child (setup + run); the child is killed when exceeded. */
  killAfterMs?: number;
}

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** Runs the load in a forked process (own event loop, own core) and returns its result. */
export function runLoadInChild(spec: ChildLoadSpec, log?: (s: string) => void, hooks: LoadHooks = {}): Promise<LoadResult> {
  assertLoopback(spec.baseUrl);
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let settled = false;
    const finish = (err: Error | null, res?: LoadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err); else resolve(res as LoadResult);
    };
    const limit = spec.killAfterMs ?? spec.warmupMs + spec.durationMs + 120_000;
    const killer = setTimeout(() => finish(new Error(`load worker exceeded ${limit} ms`)), limit);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    child.stdout?.on('data', (d: Buffer) => { for (const l of d.toString().split('\n')) if (l.trim()) log?.(`    [load] ${l}`); });
    child.on('message', (m: { type: string; result?: LoadResult; error?: string; line?: string }) => {
      if (m.type === 'measure-start') hooks.onMeasureStart?.();
      else if (m.type === 'measure-end') hooks.onMeasureEnd?.();
      else if (m.type === 'log' && m.line) log?.(`    ${m.line}`);
      else if (m.type === 'result' && m.result) finish(null, m.result);
      else if (m.type === 'error') finish(new Error(m.error ?? 'load worker failed'));
    });
    child.on('exit', (code) => finish(new Error(`load worker exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`)));
    child.send({ type: 'run', spec });
  });
}
