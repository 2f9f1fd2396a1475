/**
 * `POST /v1/workspaces/{workspace}/query` (and `GET ?query=`): the Log Analytics query API over
 * Tessera's own logs. The workspace is the tenant (id or domain) and must be the caller's; tokens are
 * for `https://api.loganalytics.io` (or Graph), and the caller needs a role that may read logs
 * (Security Reader and above).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app/app.ts';
import { authenticate } from './auth.ts';
import { GRAPH_APP_ID, GRAPH_URI, LOG_ANALYTICS_APP_ID, LOG_ANALYTICS_URI } from '../protocol/resources.ts';
import { GraphError } from '../errors/graph.ts';
import { externalDataOptions } from '../kql/externaldata/source.ts';

const audiences = [LOG_ANALYTICS_URI, `${LOG_ANALYTICS_URI}/`, LOG_ANALYTICS_APP_ID, GRAPH_URI, GRAPH_APP_ID];

function laError(status: number, code: string, message: string): { status: number; body: unknown } {
  return { status, body: { error: { code, message } } };
}

export function registerWorkspaceQuery(f: FastifyInstance, app: App): void {
  const handler = async (req: FastifyRequest<{ Params: { workspace: string } }>, body: unknown) => {
    let caller;
    try {
      caller = await authenticate(app, req, audiences);
      caller.require('logs.read');
    } catch (e) {
      if (e instanceof GraphError) return { ...laError(e.status, e.status === 401 ? 'AuthorizationRequiredError' : 'InsufficientAccessError', e.message), headers: e.headers };
      throw e;
    }
    const ws = req.params.workspace.toLowerCase();
    if (ws !== caller.tenant.id && ws !== caller.tenant.domain) return laError(404, 'WorkspaceNotFoundError', `The workspace '${ws.slice(0, 80)}' could not be found or you do not have access to it.`);
    await app.logs.flush();
    // The Kusto parser loads on the first query, not at server start.
    const { handleWorkspaceQuery } = await import('../kql/workspace-query.ts');
    const externalData = externalDataOptions(app.config);
    return handleWorkspaceQuery(app.logs, body, new Date(), externalData ? { externalData } : {});
  };
  f.post('/v1/workspaces/:workspace/query', async (req: FastifyRequest<{ Params: { workspace: string } }>, reply) => {
    const ct = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const r = ct === 'application/json' ? await handler(req, req.body) : laError(415, 'BadArgumentError', 'Send the query as application/json: {"query": "…", "timespan": "P1D"}.');
    for (const [k, v] of Object.entries((r as { headers?: Record<string, string> }).headers ?? {})) void reply.header(k, v);
    return reply.status(r.status).send(r.body);
  });
  f.get('/v1/workspaces/:workspace/query', async (req: FastifyRequest<{ Params: { workspace: string }; Querystring: Record<string, unknown> }>, reply) => {
    const q = req.query;
    const r = await handler(req, { query: q.query, ...(typeof q.timespan === 'string' ? { timespan: q.timespan } : {}) });
    for (const [k, v] of Object.entries((r as { headers?: Record<string, string> }).headers ?? {})) void reply.header(k, v);
    return reply.status(r.status).send(r.body);
  });
}
