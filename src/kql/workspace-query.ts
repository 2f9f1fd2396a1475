// POST /v1/workspaces/{tenant}/query in the Log Analytics query API shape
// (https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format): `{query, timespan}` in,
// `{tables:[{name, columns:[{name,type}], rows}]}` out. Dynamic values are returned as JSON text and
// errors as `{error:{code, message, details}}` with 400 for a bad query, as that API does.
import type { AnalyticsStore } from '../logs/analytics-store.ts';
import { KqlError } from './errors.ts';
import type { ExternalDataOptions } from './externaldata/source.ts';
import { runKql } from './run.ts';

export interface WorkspaceResponse { status: number; body: unknown }

function error(status: number, code: string, message: string, details?: unknown[]): WorkspaceResponse {
  return { status, body: { error: { code, message, ...(details ? { details } : {}) } } };
}

/** Default time limit of an API query (Log Analytics allows up to 10 minutes; this is a smaller server). */
export const defaultQueryTimeoutMs = 60_000;

export async function handleWorkspaceQuery(
  store: AnalyticsStore,
  body: unknown,
  now: Date,
  opts: { maxRows?: number; timeoutMs?: number; externalData?: ExternalDataOptions } = {},
): Promise<WorkspaceResponse> {
  if (!body || typeof body !== 'object') return error(400, 'BadArgumentError', 'The request body must be a JSON object with a "query" string.');
  const { query, timespan } = body as { query?: unknown; timespan?: unknown };
  if (typeof query !== 'string' || !query.trim()) return error(400, 'BadArgumentError', 'The request had some invalid properties: "query" must be a non-empty string.');
  if (timespan !== undefined && typeof timespan !== 'string') return error(400, 'BadArgumentError', '"timespan" must be an ISO-8601 duration or interval string.');
  try {
    const res = await runKql(store, query, {
      now,
      timeoutMs: opts.timeoutMs ?? defaultQueryTimeoutMs,
      ...(timespan ? { timespan } : {}),
      ...(opts.maxRows ? { maxRows: opts.maxRows } : {}),
      ...(opts.externalData ? { externalData: opts.externalData } : {}),
    });
    const tables = res.tables.map((t) => ({
      name: t.name,
      columns: t.columns,
      rows: t.rows.map((r) => r.map((v, i) => (t.columns[i]!.type === 'dynamic' && v !== null ? JSON.stringify(v) : v))),
    }));
    if (res.truncated) {
      // As Log Analytics does past its record limit: the rows so far, plus a PartialError.
      return {
        status: 200,
        body: {
          tables,
          error: {
            code: 'PartialError',
            message: 'There were some errors when processing your query.',
            details: [{ code: 'EngineError', message: `Query result set has exceeded the internal record count limit ${res.truncated.maxRows} records.` }],
          },
        },
      };
    }
    return { status: 200, body: { tables } };
  } catch (err) {
    if (err instanceof KqlError) {
      const status = err.code === 'ExecutionError' ? 500 : 400;
      return error(status, status === 400 ? 'BadArgumentError' : 'InternalServerError', 'The request had some invalid properties', [
        { code: err.code, message: err.message, ...(err.position ? { line: err.position.line, column: err.position.column } : {}) },
      ]);
    }
    return error(500, 'InternalServerError', 'The query could not be run.');
  }
}
