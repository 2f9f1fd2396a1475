/**
 * `npm run bench`: Tessera side by side with its peers, one server process at a time, each loaded by
 * a separate load process. Writes bench/results/latest.json and bench/results/latest.md.
 *
 *   npm run bench -- [--only GROUP|GROUP/ID|ID,…] [--duration S] [--warmup S] [--connections N]
 *                    [--max-requests N] [--budget S] [--list]
 *
 * Groups: client_credentials, refresh_token, bound_refresh, memory, modules (device-refresh, kql, policy-eval,
 * risk-sim, resource-verify). See docs/benchmarks.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoadInChild } from './lib/load.ts';
import { BENCH_ROOT, cpuSecondsOf } from './lib/proc.ts';
import { renderMarkdown } from './lib/report.ts';
import type { RunReport } from './lib/report.ts';
import { allRows, evaluateTargets, NotAvailable, selectRows } from './lib/scenarios.ts';
import type { RowResult, RunContext, StartedServer } from './lib/scenarios.ts';
import './peers/rows.ts';
import './targets/tessera.ts';
import './lib/modules.ts';

const USAGE = 'usage: npm run bench -- [--only a,b] [--duration S] [--warmup S] [--connections N] [--max-requests N] [--budget S] [--list]\n';
const parse = () => parseArgs({
  options: {
    only: { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    'max-requests': { type: 'string', default: '2000000' },
    budget: { type: 'string', default: '600' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});
let values: ReturnType<typeof parse>['values'];
try {
  ({ values } = parse());
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const num = (v: string | undefined, name: string, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number in [${min}, ${max}], got ${v}\n`);
    process.exit(2);
  }
  return n;
};

const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s`;
const log = (s: string): void => { process.stdout.write(`[${elapsed()}] ${s}\n`); };

// Plug-in scenarios: bench/scenarios/*.ts register more rows/targets when imported.
const pluginDir = join(BENCH_ROOT, 'scenarios');
if (existsSync(pluginDir)) {
  for (const f of readdirSync(pluginDir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
    try {
      await import(pathToFileURL(join(pluginDir, f)).href);
    } catch (e) {
      log(`scenario plug-in bench/scenarios/${f} failed to load: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const rows = selectRows(allRows(), only);
if (values.list) {
  for (const r of allRows()) process.stdout.write(`${r.group}/${r.id}\t${r.label}\n`);
  process.exit(0);
}
if (rows.length === 0) {
  process.stderr.write(`--only ${values.only} matches no row; try --list\n`);
  process.exit(2);
}

const tmpDir = mkdtempSync(join(os.tmpdir(), 'tessera-bench-'));
const ctx: RunContext = {
  log,
  durationMs: num(values.duration, 'duration', 0.5, 300) * 1000,
  warmupMs: num(values.warmup, 'warmup', 0, 60) * 1000,
  connections: Math.floor(num(values.connections, 'connections', 1, 1024)),
  maxRequests: Math.floor(num(values['max-requests'], 'max-requests', 1, 50_000_000)),
  tmpDir,
  deadline: t0 + num(values.budget, 'budget', 10, 7200) * 1000,
};
const budgetMs = ctx.deadline - t0;

const resultsDir = join(BENCH_ROOT, 'results');
mkdirSync(resultsDir, { recursive: true });
const results: RowResult[] = [];
const cpus = os.cpus();
const startedAt = new Date().toISOString();

function write(): RunReport {
  const report: RunReport = {
    startedAt, finishedAt: new Date().toISOString(),
    machine: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', node: process.version, loadavgAtStart },
    options: { durationMs: ctx.durationMs, warmupMs: ctx.warmupMs, connections: ctx.connections, maxRequests: ctx.maxRequests, ...(only ? { only } : {}) },
    rows: results,
    targets: evaluateTargets(results),
  };
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), `${renderMarkdown(report)}\n`);
  return report;
}
const loadavgAtStart = os.loadavg();

let current: StartedServer | undefined;
const onSignal = (): void => {
  log('interrupted: stopping the server under test');
  void (current?.stop() ?? Promise.resolve()).finally(() => { rmSync(tmpDir, { recursive: true, force: true }); process.exit(130); });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

log(`${rows.length} rows; ${ctx.connections} connections, ${ctx.warmupMs / 1000} s warm-up + ${ctx.durationMs / 1000} s per measurement; load avg ${loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}`);
for (const [i, row] of rows.entries()) {
  const base = { group: row.group, id: row.id, label: row.label, role: row.role };
  log(`(${i + 1}/${rows.length}) ${row.group}/${row.id}: ${row.label}`);
  if (Date.now() - t0 > budgetMs) {
    results.push({ ...base, status: 'skipped', reason: `run budget of ${budgetMs / 1000} s exhausted` });
    log('  skipped: run budget exhausted');
    continue;
  }
  try {
    if (row.kind === 'custom') {
      const data = await row.run(ctx);
      results.push({ ...base, status: 'ok', data });
      log(`  done: ${JSON.stringify(data).slice(0, 300)}`);
    } else {
      current = await row.start(ctx);
      log(`  server pid ${current.pid} at ${current.baseUrl}; loading…`);
      const server = current;
      let cpuStart: number | undefined;
      let cpuEnd: number | undefined;
      let mainStart: number | undefined;
      let mainEnd: number | undefined;
      try {
        const load = await runLoadInChild({
          baseUrl: current.baseUrl, connections: ctx.connections, durationMs: ctx.durationMs, warmupMs: ctx.warmupMs,
          maxRequests: ctx.maxRequests, clientModule: current.client.module, clientParams: current.client.params,
          setupConcurrency: current.client.setupConcurrency, killAfterMs: ctx.warmupMs + ctx.durationMs + 180_000,
        }, log, {
          onMeasureStart: () => { cpuStart = cpuSecondsOf(server.pid); mainStart = cpuSecondsOf(server.pid, true); },
          onMeasureEnd: () => { cpuEnd = cpuSecondsOf(server.pid); mainEnd = cpuSecondsOf(server.pid, true); },
        });
        const serverCpu = cpuStart !== undefined && cpuEnd !== undefined && cpuEnd > cpuStart ? {
          seconds: Math.round((cpuEnd - cpuStart) * 100) / 100,
          utilization: Math.round(((cpuEnd - cpuStart) / (load.elapsedMs / 1000)) * 100) / 100,
          requestsPerCpuSecond: Math.round(load.requests / (cpuEnd - cpuStart)),
          ...(mainStart !== undefined && mainEnd !== undefined ? { mainThreadUtilization: Math.round(((mainEnd - mainStart) / (load.elapsedMs / 1000)) * 100) / 100 } : {}),
        } : undefined;
        results.push({ ...base, status: 'ok', load, ...(serverCpu ? { serverCpu } : {}) });
        const l = load.latencyMs;
        log(`  ${load.rps.toFixed(0)} req/s  p50 ${l.p50.toFixed(2)} ms  p99 ${l.p99.toFixed(2)} ms  ${load.requests} requests, ${load.errors} errors${serverCpu ? `, server CPU ${Math.round(serverCpu.utilization * 100)}% (${serverCpu.requestsPerCpuSecond} req/CPU-s)` : ''}${load.errors ? ` ${JSON.stringify(load.statusCounts)} ${load.errorSamples[0]?.slice(0, 160) ?? ''}` : ''}`);
      } finally {
        await current.stop();
        current = undefined;
      }
    }
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (e instanceof NotAvailable) {
      results.push({ ...base, status: 'skipped', reason });
      log(`  not available: ${reason}`);
    } else {
      results.push({ ...base, status: 'failed', reason });
      log(`  failed: ${reason}`);
    }
  }
  write();
}

const report = write();
rmSync(tmpDir, { recursive: true, force: true });
for (const t of report.targets) {
  log(`target ${t.group}: ${t.row} ≥ ${t.min}x ${t.vs}: ${t.ratio === null ? `not measured (${t.note ?? ''})` : `${t.ratio}x — ${t.met ? 'met' : 'NOT met'}`}`);
}
log(`results: bench/results/latest.json, bench/results/latest.md`);
