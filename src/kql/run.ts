/**
 * runKql: parse with Microsoft's parser, compile to one DuckDB statement, run it on the analytics
 * store, and return the result in the Log Analytics query API shape.
 *
 * @example
 * const res = await runKql(store, 'SigninLogs | summarize count() by AppDisplayName', { timespan: 'P7D' });
 * res.tables[0].rows // [['Azure Portal', 12], ...]
 */
import { QueryTimeoutError } from '../logs/analytics-store.ts';
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { Ctx, listItems, q } from './compile/context.ts';
import type { Col, KType } from './compile/context.ts';
import { NeedBagKeys } from './compile/bag-unpack.ts';
import { missingExternalData, NeedExternalData } from './compile/externaldata.ts';
import { collectPaths } from './compile/json-paths.ts';
import { compileLet, tabular } from './compile/tabular.ts';
import { KqlError } from './errors.ts';
import { loadExternalData } from './externaldata/load.ts';
import type { Cell } from './externaldata/formats.ts';
import type { ExternalDataOptions } from './externaldata/source.ts';
import { kindOf } from './kusto-language.ts';
import { parseKql } from './parse.ts';
import { timespanBounds } from './timespan.ts';

export interface KqlOptions {
  /** The query's clock for ago()/now(); default the current time. */
  now?: Date;
  /** ISO-8601 duration (P7D) or interval restricting TimeGenerated, as in the Log Analytics API. */
  timespan?: string;
  /** Most rows returned (default 500,000, the Log Analytics limit); beyond it the result is truncated. */
  maxRows?: number;
  /** Cancel the query after this long; it then fails with a KqlError (ExecutionError). */
  timeoutMs?: number;
  /**
   * Where `externaldata` may read files from (a mirror directory, allowlisted URL prefixes). Absent,
   * the operator is refused: see src/kql/externaldata/source.ts for why it is off by default.
   */
  externalData?: ExternalDataOptions;
}

export interface KqlTable {
  name: string;
  columns: { name: string; type: KType }[];
  rows: unknown[][];
}

export interface KqlResult {
  tables: KqlTable[];
  /** Set when the result had more than `maxRows` rows and was cut there. */
  truncated?: { maxRows: number };
}

export const defaultMaxRows = 500_000;

export interface CompiledKql {
  sql: string;
  columns: Col[];
}

/**
 * Compiles KQL to one DuckDB SELECT. Throws KqlError for anything it cannot run, NeedBagKeys when
 * an `evaluate bag_unpack` needs the keys present in the data, and NeedExternalData when the query
 * reads `externaldata` files not supplied in `externalRows` (runKql answers both and retries).
 */
export function compileKql(query: string, opts: KqlOptions = {}, bagKeys?: Map<number, string[]>, externalRows?: Map<number, Cell[][]>): CompiledKql {
  const now = opts.now ?? new Date();
  const bounds = opts.timespan ? timespanBounds(opts.timespan, now) : undefined;
  const parsed = parseKql(query);
  const ctx = new Ctx(query, now, bounds?.start, bounds?.end);
  for (const [k, v] of bagKeys ?? []) ctx.bagKeys.set(k, v);
  for (const [k, v] of externalRows ?? []) ctx.externalRows.set(k, v);
  const external = missingExternalData(parsed.root, ctx);
  if (external.length) throw new NeedExternalData(external);
  collectPaths(parsed.root, ctx);
  let result: ReturnType<typeof tabular> | undefined;
  for (const st of listItems(parsed.root.Statements)) {
    if (kindOf(st) === 'ExpressionStatement') {
      if (result) return ctx.fail('UnsupportedOperator', 'a query with more than one result set is not supported', st);
      if (st.Expression.ResultType?.Kind !== 10) return ctx.fail('UnsupportedExpression', 'the query must end with a tabular expression', st);
      result = tabular(st.Expression, ctx);
    } else compileLet(st, ctx);
  }
  if (!result) throw new KqlError('SemanticError', 'the query has no tabular expression to return');
  const select = result.cols.map((c) =>
    c.type === 'timespan' ? `epoch_us(TIMESTAMP '1970-01-01' + ${q(c.name)}) AS ${q(c.name)}` : q(c.name),
  );
  const sql = `${ctx.withClause()}SELECT ${select.join(', ')} FROM ${result.from}${result.order ? ` ORDER BY ${result.order}` : ''}`;
  return { sql, columns: result.cols };
}

export async function runKql(store: AnalyticsStore, query: string, opts: KqlOptions = {}): Promise<KqlResult> {
  const keys = new Map<number, string[]>();
  const external = new Map<number, Cell[][]>();
  let compiled: CompiledKql | undefined;
  for (let round = 0; !compiled; round++) {
    try {
      compiled = compileKql(query, opts, keys, external);
    } catch (err) {
      if (err instanceof NeedExternalData && round === 0) {
        // The files are read here, on the calling thread, before any SQL reaches the store.
        for (const [k, v] of await loadExternalData(err.specs, opts.externalData)) external.set(k, v);
        continue;
      }
      if (!(err instanceof NeedBagKeys) || round > 8) throw err;
      const res = await store.query(err.sql).catch((e: unknown) => {
        throw new KqlError('ExecutionError', `the query could not run: ${(e as Error).message.split('\n')[0]}`);
      });
      keys.set(err.key, res.rows.map((r) => String(r[0])));
    }
  }
  const maxRows = opts.maxRows ?? defaultMaxRows;
  let res;
  try {
    // One row more than the cap tells a full result from a truncated one.
    res = await store.query(`${compiled.sql} LIMIT ${maxRows + 1}`, [], opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {});
  } catch (err) {
    if (err instanceof QueryTimeoutError) throw new KqlError('ExecutionError', `the query took longer than ${opts.timeoutMs} ms and was cancelled`);
    throw new KqlError('ExecutionError', `the query could not run: ${(err as Error).message.split('\n')[0]}`);
  }
  const truncated = res.rows.length > maxRows;
  const rows = res.rows.slice(0, maxRows).map((r) => r.map((v, i) => outputValue(v, compiled!.columns[i]!.type)));
  const tables = [{ name: 'PrimaryResult', columns: compiled.columns.map((c) => ({ name: c.name, type: c.type })), rows }];
  return truncated ? { tables, truncated: { maxRows } } : { tables };
}

function outputValue(v: unknown, t: KType): unknown {
  if (v === null || v === undefined) return t === 'string' ? '' : null;
  switch (t) {
    case 'dynamic':
      return typeof v === 'string' ? JSON.parse(v) : v;
    case 'datetime':
      return typeof v === 'string' ? v : String(v);
    case 'timespan':
      return formatTimespan(Number(v));
    case 'long': case 'int': case 'real': case 'decimal':
      return typeof v === 'string' ? Number(v) : v;
    default:
      return v;
  }
}

/** Kusto's timespan text: [-][d.]hh:mm:ss[.fffffff] */
export function formatTimespan(us: number): string {
  const neg = us < 0;
  let a = Math.abs(Math.round(us));
  const days = Math.floor(a / 86_400e6);
  a -= days * 86_400e6;
  const p = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(a / 3_600e6);
  const m = Math.floor((a % 3_600e6) / 60e6);
  const s = Math.floor((a % 60e6) / 1e6);
  const frac = a % 1e6;
  return `${neg ? '-' : ''}${days ? `${days}.` : ''}${p(h)}:${p(m)}:${p(s)}${frac ? `.${String(frac).padStart(6, '0')}0` : ''}`;
}
