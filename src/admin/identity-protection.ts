/**
 * `/identityProtection/…` on the Graph router: risk detections, risky users and service principals
 * (with history and the confirm/dismiss actions), service principal risk detections, CSV downloads,
 * and Tessera's ingestion endpoints for offline signals (leaked-credential reports, endpoint agents'
 * device signals).
 */
import type { GraphContext, GraphRouter } from './route.ts';
import { codecOf, jsonBody } from './route.ts';
import * as h from '../risk/graph-handlers.ts';
import { BadRequest } from '../errors/graph.ts';

const base = '/identityProtection';

function deps(c: GraphContext): h.RiskGraphDeps {
  const engine = c.app.risk.engine(c.caller.tenant.id);
  return { repository: engine.repository, actions: engine.actions, skipTokens: codecOf(c) };
}

type Result = Record<string, unknown> | { status: 200 | 201; body: Record<string, unknown> } | undefined;
async function answer(p: Promise<unknown> | unknown): Promise<Result> {
  const r = (await p) as { status?: number; body?: Record<string, unknown> } & Record<string, unknown>;
  if (r && r.status === 204) return undefined;
  if (r && typeof r.status === 'number' && 'body' in r) return { status: r.status as 200, body: r.body ?? {} };
  return r as Record<string, unknown>;
}

export function registerIdentityProtection(r: GraphRouter): void {
  r.route('GET', `${base}/riskDetections`, 'risk.read', (c) => answer(h.listRiskDetections(deps(c), c.url)));
  r.route('GET', `${base}/riskDetections/:id`, 'risk.read', (c) => answer(h.getRiskDetection(deps(c), c.params.id)));
  r.route('GET', `${base}/riskyUsers`, 'risk.read', (c) => answer(h.listRiskyUsers(deps(c), c.url)));
  r.route('GET', `${base}/riskyUsers/:id`, 'risk.read', (c) => answer(h.getRiskyUser(deps(c), c.params.id)));
  r.route('GET', `${base}/riskyUsers/:id/history`, 'risk.read', (c) => answer(h.listRiskyUserHistory(deps(c), c.params.id, c.url)));
  for (const action of ['confirmCompromised', 'dismiss', 'confirmSafe'] as const) {
    r.route('POST', `${base}/riskyUsers/${action}`, 'risk.write', async (c) => {
      const res = await answer(h.riskyUsersAction(deps(c), action, jsonBody(c), c.caller.actor.displayName || c.caller.principalId));
      await c.audit({ category: 'IdentityProtection', activity: `${action === 'confirmCompromised' ? 'Confirm user compromised' : action === 'dismiss' ? 'Dismiss user risk' : 'Confirm user safe'}`, targets: ((jsonBody(c).userIds as string[]) ?? []).map((id) => ({ id, type: 'User' })) });
      return res;
    });
    r.route('POST', `${base}/riskyServicePrincipals/${action}`, 'risk.write', async (c) => {
      const res = await answer(h.riskyServicePrincipalsAction(deps(c), action, jsonBody(c), c.caller.actor.displayName || c.caller.principalId));
      await c.audit({ category: 'IdentityProtection', activity: `${action === 'confirmCompromised' ? 'Confirm service principal compromised' : action === 'dismiss' ? 'Dismiss service principal risk' : 'Confirm service principal safe'}`, targets: ((jsonBody(c).servicePrincipalIds as string[]) ?? []).map((id) => ({ id, type: 'ServicePrincipal' })) });
      return res;
    });
  }
  r.route('GET', `${base}/riskyServicePrincipals`, 'risk.read', (c) => answer(h.listRiskyServicePrincipals(deps(c), c.url)));
  r.route('GET', `${base}/riskyServicePrincipals/:id`, 'risk.read', (c) => answer(h.getRiskyServicePrincipal(deps(c), c.params.id)));
  r.route('GET', `${base}/riskyServicePrincipals/:id/history`, 'risk.read', (c) => answer(h.listRiskyServicePrincipalHistory(deps(c), c.params.id, c.url)));
  r.route('GET', `${base}/servicePrincipalRiskDetections`, 'risk.read', (c) => answer(h.listServicePrincipalRiskDetections(deps(c), c.url)));
  r.route('GET', `${base}/servicePrincipalRiskDetections/:id`, 'risk.read', (c) => answer(h.getServicePrincipalRiskDetection(deps(c), c.params.id)));

  // Tessera: the whole report as CSV (the Entra portal's "Download").
  r.route('GET', `${base}/reports/:report/csv`, 'risk.read', async (c) => {
    const csv = await h.downloadReportCsv(deps(c), c.params.report, c.url);
    void c.reply.header('Content-Type', csv.contentType).header('Content-Disposition', `attachment; filename="${csv.filename}"`).status(200).send(csv.body);
    return { status: 200, body: {} };
  });
  // Tessera: offline inputs. A leaked-credential report (gitleaks / trufflehog JSON, or credential pairs) is matched
  // against current credentials; nothing in it is stored.
  r.route('POST', `${base}/leakedCredentialReports`, 'risk.write', async (c) => {
    const body = jsonBody(c);
    if (typeof body.report !== 'string' || body.report.length > 5_000_000) throw new BadRequest("Send {\"report\": \"<gitleaks/trufflehog JSON or user:password lines>\", \"format\"?: …}.");
    const format = typeof body.format === 'string' ? body.format : undefined;
    const result = await c.app.risk.engine(c.caller.tenant.id).ingestLeakedCredentials(body.report, { ...(format ? { format: format as never } : {}), source: String(body.source ?? 'admin upload').slice(0, 100) });
    await c.audit({ category: 'IdentityProtection', activity: 'Ingest leaked credentials report', targets: [] });
    return { status: 200, body: result as unknown as Record<string, unknown> };
  });
  r.route('POST', `${base}/deviceSignals`, 'risk.write', async (c) => {
    const detection = await c.app.risk.engine(c.caller.tenant.id).ingestDeviceSignal(jsonBody(c));
    return { status: 201, body: detection as unknown as Record<string, unknown> };
  });
}
