// `tessera query 'KQL' [--format table|json|csv] [--timespan P7D] [--data DIR]`
import { join, resolve } from 'node:path';
import { CliUsageError } from '../command.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { openAnalyticsStore } from '../../logs/analytics-store.ts';
import { loadConfig } from '../../config/load.ts';
import { KqlError } from '../../kql/errors.ts';
import type { KqlTable } from '../../kql/run.ts';

const usage = `usage: tessera query 'KQL' [--format table|json|csv] [--timespan P7D] [--data DIR]
  Runs a KQL query on the log store <data>/logs.duckdb (data folder: --data, $TESSERA_DATA or ./data).
  externaldata reads only what $TESSERA_KQL_EXTERNALDATA_ALLOW and $TESSERA_KQL_EXTERNALDATA_MIRROR allow.`;

export function parseFlags(args: string[], allowed: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (!allowed.includes(k)) throw new CliUsageError(`unknown option --${k}`);
      const v = inline ?? args[++i];
      if (v === undefined) throw new CliUsageError(`--${k} needs a value`);
      flags.set(k, v);
    } else positional.push(a);
  }
  return { positional, flags };
}

export function dataDir(flags: Map<string, string>, io: CliIO): string {
  return resolve(io.cwd, flags.get('data') ?? io.env.TESSERA_DATA ?? 'data');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function printTable(t: KqlTable, io: CliIO): void {
  const header = t.columns.map((c) => c.name);
  const body = t.rows.map((r) => r.map(cellText));
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...body.map((r) => r[i]!.length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd();
  io.out(fmt(header));
  io.out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) io.out(fmt(r));
  io.out(`(${t.rows.length} row${t.rows.length === 1 ? '' : 's'})`);
}

export const command: CliCommand = {
  path: ['query'],
  summary: 'Run a KQL query on the sign-in, audit and risk logs',
  usage,
  async run(args, io) {
    let store;
    try {
      const { positional, flags } = parseFlags(args, ['format', 'timespan', 'data']);
      if (positional.length !== 1) throw new CliUsageError('expected exactly one KQL query argument');
      const format = flags.get('format') ?? 'table';
      if (!['table', 'json', 'csv'].includes(format)) throw new CliUsageError(`--format must be table, json or csv, not ${format}`);
      store = await openAnalyticsStore({ path: join(dataDir(flags, io), 'logs.duckdb') });
      const timespan = flags.get('timespan');
      // Microsoft's Kusto parser is large; load it only when a query is run, not for every tessera command.
      const { runKql } = await import('../../kql/run.ts');
      const { externalDataOptions } = await import('../../kql/externaldata/source.ts');
      const externalData = externalDataOptions(loadConfig(io.env));
      if (externalData?.mirror) externalData.mirror = resolve(io.cwd, externalData.mirror);
      const res = await runKql(store, positional[0]!, { ...(timespan ? { timespan } : {}), ...(externalData ? { externalData } : {}) });
      const t = res.tables[0]!;
      if (format === 'json') io.out(JSON.stringify(res));
      else if (format === 'csv') {
        io.out(t.columns.map((c) => csvCell(c.name)).join(','));
        for (const r of t.rows) io.out(r.map((v) => csvCell(cellText(v))).join(','));
      } else printTable(t, io);
      return 0;
    } catch (err) {
      if (err instanceof CliUsageError) {
        io.err(`tessera query: ${err.message} (see tessera query --help)`);
        return 2;
      }
      io.err(`tessera query: ${err instanceof KqlError ? err.message : (err as Error).message.split('\n')[0]}`);
      return 1;
    } finally {
      await store?.close();
    }
  },
};
