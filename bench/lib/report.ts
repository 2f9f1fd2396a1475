/**
 * Renders the run's results as markdown (bench/results/latest.md).
 */
import type { RowResult, TargetResult } from './scenarios.ts';

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; model: string; node: string; loadavgAtStart: number[] };
  options: { durationMs: number; warmupMs: number; connections: number; maxRequests: number; only?: string[] };
  rows: RowResult[];
  targets: TargetResult[];
}

const fmt = (n: number | undefined | null, digits = 0): string =>
  n === undefined || n === null || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (b: unknown): string => (typeof b === 'number' ? `${(b / 1048576).toFixed(1)} MiB` : '–');

function ratio(a: RowResult, b: RowResult | undefined): string {
  if (!b?.load || !a.load || b === a || b.load.rps === 0) return '–';
  return `${(a.load.rps / b.load.rps).toFixed(2)}x`;
}

function throughputTable(group: string, rows: RowResult[]): string[] {
  const limit = rows.find((r) => r.id === 'limit' && r.status === 'ok');
  const op = rows.find((r) => r.id === 'oidc-provider' && r.status === 'ok');
  const out = [
    `## ${group}`, '',
    '| server | req/s | p50 ms | p90 ms | p99 ms | requests | errors | vs limit | vs oidc-provider | server CPU | main thread | req/CPU-s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.status !== 'ok' || !r.load) {
      out.push(`| ${r.label} | ${r.status === 'skipped' ? 'not available' : 'failed'} | | | | | | | | | | |`);
      continue;
    }
    const l = r.load;
    out.push(`| ${r.label} | ${fmt(l.rps)} | ${fmt(l.latencyMs.p50, 2)} | ${fmt(l.latencyMs.p90, 2)} | ${fmt(l.latencyMs.p99, 2)} | ${fmt(l.requests)} | ${fmt(l.errors)} | ${ratio(r, limit)} | ${ratio(r, op)} | ${r.serverCpu ? `${Math.round(r.serverCpu.utilization * 100)}%` : '–'} | ${r.serverCpu?.mainThreadUtilization !== undefined ? `${Math.round(r.serverCpu.mainThreadUtilization * 100)}%` : '–'} | ${fmt(r.serverCpu?.requestsPerCpuSecond)} |`);
  }
  const notes = rows.filter((r) => r.status !== 'ok' || (r.load && r.load.errors > 0));
  if (notes.length) {
    out.push('');
    for (const r of notes) {
      if (r.status !== 'ok') out.push(`- ${r.id}: ${r.status === 'skipped' ? 'not available' : 'failed'}: ${r.reason ?? ''}`);
      else if (r.load) out.push(`- ${r.id}: ${r.load.errors} errors ${JSON.stringify(r.load.statusCounts)}; e.g. \`${(r.load.errorSamples[0] ?? '').replace(/`/g, "'").slice(0, 200)}\``);
    }
  }
  out.push('');
  return out;
}

function memoryTable(rows: RowResult[]): string[] {
  const out = [
    '## memory per 100k live refresh tokens', '',
    '| server | tokens issued | RSS Δ per 100k | heap Δ per 100k | on disk Δ per 100k | issue time |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.status !== 'ok' || !r.data) { out.push(`| ${r.label} | ${r.status === 'skipped' ? 'not available' : 'failed'} | | | | |`); continue; }
    const d = r.data;
    const extra = d.extrapolated ? ' (extrapolated)' : '';
    out.push(`| ${r.label} | ${fmt(d.tokens as number)}${extra} | ${mib(d.rssPer100k)} | ${mib(d.heapPer100k)} | ${d.diskPer100k === undefined ? 'n/a (in memory)' : mib(d.diskPer100k)} | ${fmt(d.issueSeconds as number, 1)} s |`);
  }
  const notes = rows.filter((r) => r.status !== 'ok');
  if (notes.length) out.push('', ...notes.map((r) => `- ${r.id}: ${r.status === 'skipped' ? 'not available' : 'failed'}: ${r.reason ?? ''}`));
  for (const r of rows) {
    const d = r.data;
    if (!d) continue;
    const byFile = d.diskPer100kByFile as Record<string, number | null> | undefined;
    if (byFile && Object.keys(byFile).length) out.push(`- ${r.id} on disk per 100k by file: ${Object.entries(byFile).map(([n, v]) => `${n} ${mib(v)}`).join(', ')}`);
    if (typeof d.method === 'string') out.push(`- ${r.id} method: ${d.method}`);
    if (typeof d.note === 'string') out.push(`- ${r.id}: ${d.note}`);
  }
  out.push('');
  return out;
}

function modulesSection(rows: RowResult[]): string[] {
  const out = ['## other benchmark modules', ''];
  for (const r of rows) {
    if (r.status !== 'ok') { out.push(`- **${r.label}**: ${r.status === 'skipped' ? 'not available' : 'failed'}: ${r.reason ?? ''}`); continue; }
    out.push(`- **${r.label}**:`, '', '```json', JSON.stringify(r.data ?? {}, null, 2).slice(0, 4000), '```', '');
  }
  out.push('');
  return out;
}

export function renderMarkdown(rep: RunReport): string {
  const o = rep.options;
  const out = [
    '# Tessera benchmarks', '',
    `Run ${rep.startedAt} → ${rep.finishedAt} on ${rep.machine.cpus} × ${rep.machine.model}, Node ${rep.machine.node}`
    + ` (load average at start ${rep.machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}).`,
    `Each throughput row: one server process + one load process, ${o.connections} keep-alive connections,`
    + ` ${o.warmupMs / 1000} s warm-up then ${o.durationMs / 1000} s measured (at most ${fmt(o.maxRequests)} requests).`,
    '"server CPU" is the server process\'s CPU time over the measured window divided by its length: well under 100% means'
    + ' the machine was contended (shared cores) and req/s is depressed; "req/CPU-s" (requests per server CPU-second) is the'
    + ' steadier figure to compare then. "main thread" is the event loop thread alone: a server whose main thread is well'
    + ' under 100% while the machine is busy is waiting for CPU that its other threads (workers, GC) and the load process hold.',
    '',
  ];
  const groups: string[] = [];
  for (const r of rep.rows) if (!groups.includes(r.group)) groups.push(r.group);
  for (const g of groups) {
    const rows = rep.rows.filter((r) => r.group === g);
    if (g === 'memory') out.push(...memoryTable(rows));
    else if (g === 'modules') out.push(...modulesSection(rows));
    else if (rows.some((r) => r.load || r.status !== 'ok')) out.push(...throughputTable(g, rows));
  }
  if (rep.targets.length) {
    out.push('## targets', '', 'Judged on req/s; the ratio of req/CPU-s is shown for context on a shared machine.', '',
      '| group | target | measured (req/s) | status | ratio by req/CPU-s |', '|---|---|---:|---|---:|');
    for (const t of rep.targets) {
      const status = t.met === null ? `not measured (${t.note ?? ''})` : t.met ? 'met' : 'not met';
      out.push(`| ${t.group} | ${t.row} ≥ ${t.min}x ${t.vs} | ${t.ratio === null ? '–' : `${t.ratio}x`} | ${status} | ${t.cpuRatio == null ? '–' : `${t.cpuRatio}x`} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
