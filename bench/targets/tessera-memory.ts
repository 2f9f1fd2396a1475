/**
 * Memory per 100k live refresh tokens for Tessera: sign in once (password through the login form),
 * then ride the SSO session — authorize → code → token exchange. After a warm-up of 1000 tokens
 * (at most 15% of the budget) the "before" sample is taken, then tokens are issued until 100k more
 * exist or the time budget ends (then the figures are scaled to 100k and marked extrapolated).
 * Measures the server process: RSS from /proc/<pid>/status, heap after a forced GC through the
 * preloaded memory probe (memory-probe.mjs; `GET /metrics` as a fallback), and the on-disk size of
 * its data folder (SQLite + WAL, DuckDB).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { codeFlow, CookieJar } from '../lib/code-flow.ts';
import type { CodeFlowOptions } from '../lib/code-flow.ts';
import { rssOf, sleep } from '../lib/proc.ts';
import type { RunContext } from '../lib/scenarios.ts';
import type { TesseraServer } from './tessera.ts';

export const MEMORY_TOKENS = 100_000;
const BUDGET_MS = Number(process.env.BENCH_MEMORY_SECONDS ?? 120) * 1000;
const CONCURRENCY = 16;
const WARMUP_TOKENS = 1000;

export function dirSize(dir: string, depth = 0): number {
  if (depth > 8) return 0;
  let total = 0;
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return 0; }
  for (const n of names) {
    const p = join(dir, n);
    try {
      const st = statSync(p);
      total += st.isDirectory() ? dirSize(p, depth + 1) : st.size;
    } catch { /* file vanished (WAL checkpoint) */ }
  }
  return total;
}

/** Heap used by the server, from `GET /metrics` (Prometheus `nodejs_heap_size_used_bytes` or JSON `heapUsed`). */
export async function metricsHeap(baseUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) return undefined;
    const prom = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m.exec(text);
    if (prom?.[1]) return Number(prom[1]);
    const j = JSON.parse(text) as { heapUsed?: number; memory?: { heapUsed?: number } };
    return j.memory?.heapUsed ?? j.heapUsed;
  } catch {
    return undefined;
  }
}

interface Sample { rss?: number; heap?: number; disk: number; files: Record<string, number> }

/** Sizes of the data folder's entries (files, or directories summed), e.g. the SQLite file vs the DuckDB log file. */
function entrySizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names.slice(0, 100)) {
    const p = join(dir, n);
    try { const st = statSync(p); out[n] = st.isDirectory() ? dirSize(p) : st.size; } catch { /* vanished */ }
  }
  return out;
}

async function sample(s: TesseraServer): Promise<Sample> {
  await sleep(2000); // let batched writes and WAL settle
  const probe = await s.probeMemory();
  return { rss: rssOf(s.pid), heap: probe?.heapUsed ?? await metricsHeap(s.baseUrl), disk: dirSize(s.dataDir), files: entrySizes(s.dataDir) };
}

export async function measureTesseraMemory(ctx: RunContext, s: TesseraServer, flow: Omit<CodeFlowOptions, 'jar' | 'tokenRequestHeaders'>): Promise<Record<string, unknown>> {
  // Leave room in the run's budget for the rows after this one (≈ 4 minutes of modules).
  const budgetMs = Math.min(BUDGET_MS, Math.max(20_000, ctx.deadline - Date.now() - 240_000));
  const jar = new CookieJar();
  const first = await codeFlow({ ...flow, jar });
  if (!first.tokens.refresh_token) throw new Error('first code flow gave no refresh_token');
  let issued = 0;
  let failures = 0;
  let passwordFlows = 0;
  let lastError = '';
  /** Issues refresh tokens, CONCURRENCY at a time, until `count` more exist or the deadline passes. */
  const issue = async (count: number, deadline: number, t0: number): Promise<number> => {
    const start = issued;
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < count && performance.now() < deadline && failures < 50) {
        started++;
        try {
          const r = await codeFlow({ ...flow, jar });
          if (!r.sso) passwordFlows++;
          if (r.tokens.refresh_token) issued++; else failures++;
        } catch (e) {
          failures++;
          lastError = e instanceof Error ? e.message : String(e);
        }
        if (issued > 0 && issued % 10_000 === 0) ctx.log(`    issued ${issued} refresh tokens (${Math.round((performance.now() - t0) / 1000)} s)`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    return issued - start;
  };
  // Warm-up (JIT, statement caches, log buffers) so that fixed costs are not billed to the tokens.
  const w0 = performance.now();
  const warm = await issue(WARMUP_TOKENS, w0 + budgetMs * 0.15, w0);
  if (warm === 0) throw new Error(`no refresh tokens issued in the warm-up (${failures} failures; last: ${lastError.slice(0, 300)})`);
  const before = await sample(s);
  const t0 = performance.now();
  const measured = await issue(MEMORY_TOKENS, t0 + budgetMs, t0);
  const issueMs = performance.now() - t0;
  if (measured === 0) throw new Error(`no refresh tokens issued (${failures} failures; last: ${lastError.slice(0, 300)})`);
  const after = await sample(s);
  const scale = MEMORY_TOKENS / measured;
  const per = (a?: number, b?: number): number | null => (a === undefined || b === undefined ? null : Math.round((b - a) * scale));
  return {
    tokens: measured,
    warmupTokens: warm,
    extrapolated: measured < MEMORY_TOKENS,
    issueSeconds: Math.round(issueMs / 100) / 10,
    issuedPerSecond: Math.round(measured / (issueMs / 1000)),
    failures,
    ...(lastError ? { lastError: lastError.slice(0, 300) } : {}),
    passwordFlows,
    rssBefore: before.rss ?? null, rssAfter: after.rss ?? null,
    heapBefore: before.heap ?? null, heapAfter: after.heap ?? null,
    diskBefore: before.disk, diskAfter: after.disk,
    rssPer100k: per(before.rss, after.rss),
    heapPer100k: per(before.heap, after.heap),
    diskPer100k: per(before.disk, after.disk),
    diskPer100kByFile: Object.fromEntries(Object.entries(after.files).map(([n, v]) => [n, per(before.files[n] ?? 0, v)]).filter(([, v]) => v !== 0)),
    method: `code flow on one SSO session, ${CONCURRENCY} in parallel, after ${warm} warm-up tokens; RSS from /proc, heap after GC via the SIGUSR2 probe${before.heap === undefined ? ' (probe did not answer: heap not reported)' : ''}`,
    note: measured < 20_000 ? `extrapolated from ${measured} tokens: RSS growth at this scale is mostly allocator, page-cache and log-buffer growth, not per-token state; heap (after GC) and disk are the meaningful per-token figures` : undefined,
  };
}
