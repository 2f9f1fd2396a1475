/**
 * `GET /auditLogs/directoryAudits`: the audit records every admin change writes (app.audit), newest
 * first. Without `$filter`/`$orderby` pages are read from the store directly; with them, the 30 days
 * Entra retains are filtered and sorted by the OData evaluator.
 */
import { toGraphDirectoryAudit } from '../app/audit.ts';
import { catalogues, collectionResponse, pageWindow, parseQueryOptions, takePage, applySelect } from './odata/index.ts';
import { codecOf, listResponse, notFound, selectOne, type GraphRouter } from './route.ts';

const RETENTION_MS = 30 * 86_400_000;

export function registerDirectoryAudits(r: GraphRouter): void {
  const { app } = r;
  r.route('GET', '/auditLogs/directoryAudits', 'logs.read', async (c) => {
    const tenantId = c.caller.tenant.id;
    const since = Date.now() - RETENTION_MS;
    const q = parseQueryOptions(c.url.search, catalogues.directoryAudit);
    if (q.filter || q.orderby?.length || q.count) {
      const all = await app.store.audit.list(tenantId, { since });
      return listResponse(c, catalogues.directoryAudit, all.map(toGraphDirectoryAudit));
    }
    const w = pageWindow(q, codecOf(c), 100, `${tenantId}|${c.url.pathname}`);
    const rows = await app.store.audit.list(tenantId, { since, limit: w.limit, offset: w.offset });
    const { page, nextSkipToken } = takePage(rows, w, codecOf(c));
    return collectionResponse({ requestUrl: c.url, catalogue: catalogues.directoryAudit, select: q.select, value: page.map((e) => applySelect(toGraphDirectoryAudit(e), q.select)), nextSkipToken }) as unknown as Record<string, unknown>;
  });

  r.route('GET', '/auditLogs/directoryAudits/:id', 'logs.read', async (c) => {
    const id = c.params.id!;
    const e = id.length <= 100 ? await app.store.audit.get(c.caller.tenant.id, id) : undefined;
    if (!e) notFound(id);
    return selectOne(c, catalogues.directoryAudit, toGraphDirectoryAudit(e));
  });
}
