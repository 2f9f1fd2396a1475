/**
 * Graph handlers for identity protection as plain functions (the core's admin router calls them and serialises
 * GraphError with toGraphBody). Paths (graph-shapes.md §6):
 *   GET  /identityProtection/riskDetections[/{id}]
 *   GET  /identityProtection/riskyUsers[/{id}[/history]]
 *   POST /identityProtection/riskyUsers/confirmCompromised | dismiss | confirmSafe   {userIds}          → 204
 *   GET  /identityProtection/riskyServicePrincipals[/{id}[/history]]
 *   POST /identityProtection/riskyServicePrincipals/confirmCompromised | dismiss | confirmSafe {servicePrincipalIds} → 204
 *   GET  /identityProtection/servicePrincipalRiskDetections[/{id}]
 * plus `downloadReportCsv` for the CSV download of each report. Query options go through the admin API's shared
 * OData layer (src/admin/odata: parsing, case-insensitive evaluation, signed skip tokens, the response envelope);
 * the list handlers take the full request URL.
 */
import { z } from 'zod';
import {
  applySelect, collectionResponse, matches as matchesFilter, paginate, parseQueryOptions, serviceRoot, sortBy,
  type Catalogue, type FilterExpr, type QueryOptions, type Row, type SkipTokenCodec,
} from '../admin/odata/index.ts';
import { BadRequest, ResourceNotFound } from '../errors/graph.ts';
import { UnknownIdentityError, type RiskActions } from './engine-actions.ts';
import * as catalogues from './graph/catalogues.ts';
import { toCsv } from './graph/csv.ts';
import type { RiskRepository } from './repository.ts';
import type { RiskLevel, RiskState } from './types.ts';

export interface RiskGraphDeps {
  repository: RiskRepository;
  actions: RiskActions;
  /** The admin API's skip-token codec (createSkipTokenCodec with the deployment's key). */
  skipTokens: SkipTokenCodec;
}

export type RequestUrl = string | URL;

const DEFAULT_TOP = 100;

const detectionColumns = ['id', 'requestId', 'correlationId', 'riskEventType', 'riskType', 'riskLevel', 'riskState', 'riskDetail', 'source', 'detectionTimingType', 'activity', 'tokenIssuerType', 'ipAddress', 'location', 'activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime', 'userId', 'userDisplayName', 'userPrincipalName', 'additionalInfo'];
const riskyUserColumns = ['id', 'isDeleted', 'isProcessing', 'riskLevel', 'riskState', 'riskDetail', 'riskLastUpdatedDateTime', 'userDisplayName', 'userPrincipalName'];
const riskySpColumns = ['id', 'appId', 'displayName', 'servicePrincipalType', 'accountEnabled', 'isEnabled', 'isProcessing', 'riskLevel', 'riskState', 'riskDetail', 'riskLastUpdatedDateTime'];
const spDetectionColumns = ['id', 'requestId', 'correlationId', 'riskEventType', 'riskLevel', 'riskState', 'riskDetail', 'source', 'detectionTimingType', 'activity', 'tokenIssuerType', 'ipAddress', 'location', 'activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime', 'servicePrincipalId', 'servicePrincipalDisplayName', 'appId', 'keyIds', 'additionalInfo'];

function parseUrl(url: RequestUrl): URL {
  try {
    return new URL(String(url));
  } catch {
    throw new BadRequest('Invalid request URL.');
  }
}

/**
 * riskLevel / riskState equalities that are conjuncts of the whole filter narrow the repository read (the filter
 * still runs in full afterwards). Enum literals arrive in the member's canonical case, so equality is exact.
 */
function pushDown(f: FilterExpr | undefined, out: { riskLevel?: RiskLevel; riskState?: RiskState } = {}): { riskLevel?: RiskLevel; riskState?: RiskState } {
  if (!f) return out;
  if (f.kind === 'and') { pushDown(f.left, out); pushDown(f.right, out); }
  if (f.kind === 'compare' && f.op === 'eq' && f.target.kind === 'property' && typeof f.value === 'string') {
    if (f.target.path === 'riskLevel') out.riskLevel = f.value as RiskLevel;
    if (f.target.path === 'riskState') out.riskState = f.value as RiskState;
  }
  return out;
}

async function list<T extends object>(deps: RiskGraphDeps, url: RequestUrl, catalogue: Catalogue, fetch: (q: QueryOptions) => Promise<T[]>) {
  const u = parseUrl(url);
  const q = parseQueryOptions(u.searchParams, catalogue);
  const rows = (await fetch(q)) as unknown as Row[];
  const { page, nextSkipToken } = paginate(rows, q, deps.skipTokens, DEFAULT_TOP, catalogue.entitySet);
  return collectionResponse({ requestUrl: u, catalogue, select: q.select, nextSkipToken, value: page.map((r) => applySelect(r, q.select)) });
}

function requireId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256 || /[\u0000-\u001f]/.test(id)) throw new BadRequest(`Invalid ${what} id.`);
  return id;
}

// ---- riskDetections ------------------------------------------------------------------------------------------

export function listRiskDetections(deps: RiskGraphDeps, url: RequestUrl) {
  return list(deps, url, catalogues.riskDetection, (q) => deps.repository.listDetections(pushDown(q.filter)));
}

export async function getRiskDetection(deps: RiskGraphDeps, id: unknown) {
  const d = await deps.repository.getDetection(requireId(id, 'riskDetection'));
  if (!d) throw new ResourceNotFound(`riskDetection '${String(id)}' was not found.`);
  return d;
}

// ---- riskyUsers ----------------------------------------------------------------------------------------------

export function listRiskyUsers(deps: RiskGraphDeps, url: RequestUrl) {
  return list(deps, url, catalogues.riskyUser, (q) => deps.repository.listRiskyUsers(pushDown(q.filter)));
}

export async function getRiskyUser(deps: RiskGraphDeps, id: unknown) {
  const u = await deps.repository.getRiskyUser(requireId(id, 'riskyUser'));
  if (!u) throw new ResourceNotFound(`riskyUser '${String(id)}' was not found.`);
  return u;
}

export async function listRiskyUserHistory(deps: RiskGraphDeps, id: unknown, url: RequestUrl) {
  const u = await getRiskyUser(deps, id);
  const value = await deps.repository.listRiskyUserHistory(u.id);
  return { '@odata.context': `${serviceRoot(parseUrl(url))}$metadata#identityProtection/riskyUsers('${u.id}')/history`, value };
}

// ---- riskyServicePrincipals ----------------------------------------------------------------------------------

export function listRiskyServicePrincipals(deps: RiskGraphDeps, url: RequestUrl) {
  return list(deps, url, catalogues.riskyServicePrincipal, (q) => deps.repository.listRiskyServicePrincipals(pushDown(q.filter)));
}

export async function getRiskyServicePrincipal(deps: RiskGraphDeps, id: unknown) {
  const s = await deps.repository.getRiskyServicePrincipal(requireId(id, 'riskyServicePrincipal'));
  if (!s) throw new ResourceNotFound(`riskyServicePrincipal '${String(id)}' was not found.`);
  return s;
}

export async function listRiskyServicePrincipalHistory(deps: RiskGraphDeps, id: unknown, url: RequestUrl) {
  const s = await getRiskyServicePrincipal(deps, id);
  const value = await deps.repository.listRiskyServicePrincipalHistory(s.id);
  return { '@odata.context': `${serviceRoot(parseUrl(url))}$metadata#identityProtection/riskyServicePrincipals('${s.id}')/history`, value };
}

// ---- servicePrincipalRiskDetections --------------------------------------------------------------------------

export function listServicePrincipalRiskDetections(deps: RiskGraphDeps, url: RequestUrl) {
  return list(deps, url, catalogues.servicePrincipalRiskDetection, (q) => deps.repository.listServicePrincipalDetections(pushDown(q.filter)));
}

export async function getServicePrincipalRiskDetection(deps: RiskGraphDeps, id: unknown) {
  const d = await deps.repository.getServicePrincipalDetection(requireId(id, 'servicePrincipalRiskDetection'));
  if (!d) throw new ResourceNotFound(`servicePrincipalRiskDetection '${String(id)}' was not found.`);
  return d;
}

// ---- actions -------------------------------------------------------------------------------------------------

/** Graph accepts up to 60 ids per risky-user action request. */
const MAX_IDS = 60;

function idsFrom(body: unknown, key: 'userIds' | 'servicePrincipalIds'): string[] {
  const schema = z.object({ [key]: z.array(z.string().min(1).max(256)).min(1).max(MAX_IDS) }).strict();
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    throw new BadRequest(`Invalid request body: expected {"${key}": [1..${MAX_IDS} ids]}; ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return r.data[key] as string[];
}

async function act<T>(fn: () => Promise<T>): Promise<{ status: 204 }> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof UnknownIdentityError) throw new ResourceNotFound(e.message);
    throw e;
  }
  return { status: 204 };
}

export type UserAction = 'confirmCompromised' | 'dismiss' | 'confirmSafe';

export function riskyUsersAction(deps: RiskGraphDeps, action: UserAction, body: unknown, initiatedBy: string) {
  const ids = idsFrom(body, 'userIds');
  const fn = action === 'confirmCompromised' ? deps.actions.confirmUsersCompromised : action === 'dismiss' ? deps.actions.dismissUsers : deps.actions.confirmUsersSafe;
  return act(() => fn(ids, initiatedBy));
}

export function riskyServicePrincipalsAction(deps: RiskGraphDeps, action: UserAction, body: unknown, initiatedBy: string) {
  const ids = idsFrom(body, 'servicePrincipalIds');
  const fn = action === 'confirmCompromised' ? deps.actions.confirmServicePrincipalsCompromised
    : action === 'dismiss' ? deps.actions.dismissServicePrincipals : deps.actions.confirmServicePrincipalsSafe;
  return act(() => fn(ids, initiatedBy));
}

// ---- CSV -----------------------------------------------------------------------------------------------------

export type ReportName = 'riskDetections' | 'riskyUsers' | 'riskyServicePrincipals' | 'servicePrincipalRiskDetections';

const reports: Record<ReportName, { catalogue: Catalogue; columns: readonly string[]; fetch(repo: RiskRepository): Promise<object[]> }> = {
  riskDetections: { catalogue: catalogues.riskDetection, columns: detectionColumns, fetch: (r) => r.listDetections() },
  riskyUsers: { catalogue: catalogues.riskyUser, columns: riskyUserColumns, fetch: (r) => r.listRiskyUsers() },
  riskyServicePrincipals: { catalogue: catalogues.riskyServicePrincipal, columns: riskySpColumns, fetch: (r) => r.listRiskyServicePrincipals() },
  servicePrincipalRiskDetections: { catalogue: catalogues.servicePrincipalRiskDetection, columns: spDetectionColumns, fetch: (r) => r.listServicePrincipalDetections() },
};

/** The whole report as CSV (every row the $filter keeps, in $orderby order, $select columns), not one page. */
export async function downloadReportCsv(deps: RiskGraphDeps, report: unknown, url: RequestUrl): Promise<{ contentType: string; filename: string; body: string }> {
  const r = typeof report === 'string' && Object.hasOwn(reports, report) ? reports[report as ReportName] : undefined;
  if (!r) throw new BadRequest(`Unknown report '${String(report)}'. Reports: ${Object.keys(reports).join(', ')}.`);
  const params = new URLSearchParams(parseUrl(url).searchParams);
  params.delete('$top');
  params.delete('$skiptoken');
  const q = parseQueryOptions(params, r.catalogue);
  let rows = ((await r.fetch(deps.repository)) as unknown as Row[]).filter((row) => matchesFilter(row, q.filter));
  if (q.orderby?.length) rows = sortBy(rows, q.orderby);
  const columns = q.select?.length ? q.select : r.columns;
  return { contentType: 'text/csv; charset=utf-8', filename: `${String(report)}.csv`, body: toCsv(columns, rows) };
}
