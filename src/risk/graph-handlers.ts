/**
 * Graph handlers for identity protection as plain functions (the core's admin router calls them and serialises
 * GraphError with toGraphBody). Paths (graph-shapes.md §6):
 *   GET  /identityProtection/riskDetections[/{id}]
 *   GET  /identityProtection/riskyUsers[/{id}[/history]]
 *   POST /identityProtection/riskyUsers/confirmCompromised | dismiss | confirmSafe   {userIds}          → 204
 *   GET  /identityProtection/riskyServicePrincipals[/{id}[/history]]
 *   POST /identityProtection/riskyServicePrincipals/confirmCompromised | dismiss | confirmSafe {servicePrincipalIds} → 204
 *   GET  /identityProtection/servicePrincipalRiskDetections[/{id}]
 * plus `downloadReportCsv` for the CSV download of each report.
 */
import { z } from 'zod';
import { BadRequest, ResourceNotFound } from '../errors/graph.ts';
import { UnknownIdentityError, type RiskActions } from './engine-actions.ts';
import { toCsv } from './graph/csv.ts';
import { matches, parseListOptions, project, skipToken, type Clause, type FieldSpec } from './graph/odata.ts';
import type { DetectionQuery, RiskRepository, RiskyQuery, SpDetectionQuery } from './repository.ts';
import { riskDetails, riskLevels, riskStates } from './types.ts';

export interface RiskGraphDeps {
  repository: RiskRepository;
  actions: RiskActions;
  /** Service root used in @odata.context / nextLink, e.g. "https://idp.example/v1.0". */
  serviceRoot?: string;
}

export type Query = Readonly<Record<string, string | undefined>>;
export interface GraphCollection<T> { '@odata.context': string; value: T[]; '@odata.nextLink'?: string }

const LIMITS = { defaultTop: 100, maxTop: 500 };
const str: FieldSpec = { kind: 'string' };
const dt: FieldSpec = { kind: 'datetime' };
const level: FieldSpec = { kind: 'enum', values: riskLevels };
const state: FieldSpec = { kind: 'enum', values: riskStates };
const detail: FieldSpec = { kind: 'enum', values: riskDetails };
const timing: FieldSpec = { kind: 'enum', values: ['notDefined', 'realtime', 'nearRealtime', 'offline'] };

const detectionFields = {
  id: str, userId: str, userPrincipalName: str, userDisplayName: str, requestId: str, correlationId: str, ipAddress: str,
  riskEventType: str, riskLevel: level, riskState: state, riskDetail: detail, detectionTimingType: timing,
  activity: { kind: 'enum', values: ['signin', 'user'] }, source: str,
  detectedDateTime: dt, activityDateTime: dt, lastUpdatedDateTime: dt,
} satisfies Record<string, FieldSpec>;
const riskyUserFields = {
  id: str, userPrincipalName: str, userDisplayName: str, riskLevel: level, riskState: state, riskDetail: detail, riskLastUpdatedDateTime: dt,
} satisfies Record<string, FieldSpec>;
const riskySpFields = {
  id: str, appId: str, displayName: str, servicePrincipalType: str, riskLevel: level, riskState: state, riskDetail: detail, riskLastUpdatedDateTime: dt,
} satisfies Record<string, FieldSpec>;
const spDetectionFields = {
  id: str, servicePrincipalId: str, servicePrincipalDisplayName: str, appId: str, requestId: str, correlationId: str, ipAddress: str,
  riskEventType: str, riskLevel: level, riskState: state, riskDetail: detail, detectionTimingType: timing, source: str,
  detectedDateTime: dt, activityDateTime: dt, lastUpdatedDateTime: dt,
} satisfies Record<string, FieldSpec>;

const detectionColumns = ['id', 'requestId', 'correlationId', 'riskEventType', 'riskType', 'riskLevel', 'riskState', 'riskDetail', 'source', 'detectionTimingType', 'activity', 'tokenIssuerType', 'ipAddress', 'location', 'activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime', 'userId', 'userDisplayName', 'userPrincipalName', 'additionalInfo'];
const riskyUserColumns = ['id', 'isDeleted', 'isProcessing', 'riskLevel', 'riskState', 'riskDetail', 'riskLastUpdatedDateTime', 'userDisplayName', 'userPrincipalName'];
const riskySpColumns = ['id', 'appId', 'displayName', 'servicePrincipalType', 'accountEnabled', 'isEnabled', 'isProcessing', 'riskLevel', 'riskState', 'riskDetail', 'riskLastUpdatedDateTime'];
const spDetectionColumns = ['id', 'requestId', 'correlationId', 'riskEventType', 'riskLevel', 'riskState', 'riskDetail', 'source', 'detectionTimingType', 'activity', 'tokenIssuerType', 'ipAddress', 'location', 'activityDateTime', 'detectedDateTime', 'lastUpdatedDateTime', 'servicePrincipalId', 'servicePrincipalDisplayName', 'appId', 'keyIds', 'additionalInfo'];

/** Split clauses into those the repository answers (equality on its keys, detectedDateTime ge) and the rest. */
function pushDown<Q extends { since?: string }>(clauses: Clause[], keys: readonly string[]): { q: Q; post: Clause[] } {
  const q: Record<string, string> = {};
  const post: Clause[] = [];
  for (const c of clauses) {
    if (c.op === 'eq' && keys.includes(c.property) && q[c.property] === undefined) q[c.property] = c.value;
    else if (c.op === 'ge' && c.property === 'detectedDateTime' && q['since'] === undefined) q['since'] = c.value;
    else post.push(c);
  }
  return { q: q as unknown as Q, post };
}

async function page<T extends object, Q extends { limit?: number; since?: string }>(
  deps: RiskGraphDeps, entitySet: string, query: Query, fields: Record<string, FieldSpec>, columns: readonly string[],
  repoKeys: readonly string[], fetch: (q: Q) => Promise<T[]>,
): Promise<GraphCollection<Partial<T>>> {
  const o = parseListOptions(query, fields, columns, LIMITS);
  const { q, post } = pushDown<Q>(o.filter, repoKeys);
  // With post-filters the repository cannot apply the limit; fetch everything and filter here.
  if (!post.length) q.limit = o.skip + o.top + 1;
  const all = (await fetch(q)).filter((r) => matches(r as Record<string, unknown>, post));
  const slice = all.slice(o.skip, o.skip + o.top);
  const root = deps.serviceRoot ?? '/v1.0';
  const out: GraphCollection<Partial<T>> = { '@odata.context': `${root}/$metadata#${entitySet}`, value: slice.map((r) => project(r, o.select)) };
  if (all.length > o.skip + o.top) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== '$skiptoken') params.set(k, v);
    params.set('$skiptoken', skipToken(o.skip + o.top));
    out['@odata.nextLink'] = `${root}/${entitySet}?${params.toString()}`;
  }
  return out;
}

function requireId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256 || /[\u0000-\u001f]/.test(id)) throw new BadRequest(`Invalid ${what} id.`);
  return id;
}

// ---- riskDetections ------------------------------------------------------------------------------------------

export function listRiskDetections(deps: RiskGraphDeps, query: Query = {}) {
  return page<Awaited<ReturnType<RiskRepository['listDetections']>>[number], DetectionQuery>(deps, 'identityProtection/riskDetections', query,
    detectionFields, detectionColumns, ['userId', 'riskState', 'riskLevel', 'riskEventType', 'requestId'], (q) => deps.repository.listDetections(q));
}

export async function getRiskDetection(deps: RiskGraphDeps, id: unknown) {
  const d = await deps.repository.getDetection(requireId(id, 'riskDetection'));
  if (!d) throw new ResourceNotFound(`riskDetection '${String(id)}' was not found.`);
  return d;
}

// ---- riskyUsers ----------------------------------------------------------------------------------------------

export function listRiskyUsers(deps: RiskGraphDeps, query: Query = {}) {
  return page<Awaited<ReturnType<RiskRepository['listRiskyUsers']>>[number], RiskyQuery>(deps, 'identityProtection/riskyUsers', query,
    riskyUserFields, riskyUserColumns, ['riskState', 'riskLevel'], (q) => deps.repository.listRiskyUsers(q));
}

export async function getRiskyUser(deps: RiskGraphDeps, id: unknown) {
  const u = await deps.repository.getRiskyUser(requireId(id, 'riskyUser'));
  if (!u) throw new ResourceNotFound(`riskyUser '${String(id)}' was not found.`);
  return u;
}

export async function listRiskyUserHistory(deps: RiskGraphDeps, id: unknown) {
  const u = await getRiskyUser(deps, id);
  const value = await deps.repository.listRiskyUserHistory(u.id);
  return { '@odata.context': `${deps.serviceRoot ?? '/v1.0'}/$metadata#identityProtection/riskyUsers('${u.id}')/history`, value };
}

// ---- riskyServicePrincipals ----------------------------------------------------------------------------------

export function listRiskyServicePrincipals(deps: RiskGraphDeps, query: Query = {}) {
  return page<Awaited<ReturnType<RiskRepository['listRiskyServicePrincipals']>>[number], RiskyQuery>(deps, 'identityProtection/riskyServicePrincipals', query,
    riskySpFields, riskySpColumns, ['riskState', 'riskLevel'], (q) => deps.repository.listRiskyServicePrincipals(q));
}

export async function getRiskyServicePrincipal(deps: RiskGraphDeps, id: unknown) {
  const s = await deps.repository.getRiskyServicePrincipal(requireId(id, 'riskyServicePrincipal'));
  if (!s) throw new ResourceNotFound(`riskyServicePrincipal '${String(id)}' was not found.`);
  return s;
}

export async function listRiskyServicePrincipalHistory(deps: RiskGraphDeps, id: unknown) {
  const s = await getRiskyServicePrincipal(deps, id);
  const value = await deps.repository.listRiskyServicePrincipalHistory(s.id);
  return { '@odata.context': `${deps.serviceRoot ?? '/v1.0'}/$metadata#identityProtection/riskyServicePrincipals('${s.id}')/history`, value };
}

// ---- servicePrincipalRiskDetections --------------------------------------------------------------------------

export function listServicePrincipalRiskDetections(deps: RiskGraphDeps, query: Query = {}) {
  return page<Awaited<ReturnType<RiskRepository['listServicePrincipalDetections']>>[number], SpDetectionQuery>(deps, 'identityProtection/servicePrincipalRiskDetections', query,
    spDetectionFields, spDetectionColumns, ['servicePrincipalId', 'riskState', 'riskLevel', 'riskEventType', 'requestId'], (q) => deps.repository.listServicePrincipalDetections(q));
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

/** The whole filtered report as CSV (all pages), with the same $filter grammar as the list. */
export async function downloadReportCsv(deps: RiskGraphDeps, report: unknown, query: Query = {}): Promise<{ contentType: string; filename: string; body: string }> {
  const { $top: _t, $skiptoken: _s, ...rest } = query;
  const q = { ...rest, $top: String(LIMITS.maxTop) };
  const collect = async <T>(list: (d: RiskGraphDeps, q: Query) => Promise<GraphCollection<T>>): Promise<T[]> => {
    const out: T[] = [];
    let skip: string | undefined;
    for (;;) {
      const pageRes = await list(deps, skip ? { ...q, $skiptoken: skip } : q);
      out.push(...pageRes.value);
      const next = pageRes['@odata.nextLink'];
      if (!next) return out;
      skip = new URL(next, 'http://x').searchParams.get('$skiptoken') ?? undefined;
    }
  };
  let columns: readonly string[];
  let rows: Record<string, unknown>[];
  switch (report) {
    case 'riskDetections': columns = detectionColumns; rows = await collect(listRiskDetections); break;
    case 'riskyUsers': columns = riskyUserColumns; rows = await collect(listRiskyUsers); break;
    case 'riskyServicePrincipals': columns = riskySpColumns; rows = await collect(listRiskyServicePrincipals); break;
    case 'servicePrincipalRiskDetections': columns = spDetectionColumns; rows = await collect(listServicePrincipalRiskDetections); break;
    default: throw new BadRequest(`Unknown report '${String(report)}'. Reports: riskDetections, riskyUsers, riskyServicePrincipals, servicePrincipalRiskDetections.`);
  }
  if (query['$select']) columns = query['$select'].split(',').map((s) => s.trim());
  return { contentType: 'text/csv; charset=utf-8', filename: `${report}.csv`, body: toCsv(columns, rows) };
}

