/**
 * `GET /auditLogs/signIns`: sign-in records read back from the Log Analytics tables (SigninLogs,
 * AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs; src/signin/table-row.ts writes
 * them) and served in Graph's signIn shape (src/signin/graph-shape.ts). As in Graph, only interactive
 * sign-ins are listed unless the filter names `signInEventTypes`
 * (`signInEventTypes/any(t: t eq 'nonInteractiveUser')`).
 *
 * Each table is scanned newest first within Entra's 30-day window, in chunks with a keyset cursor,
 * and filtered by the OData evaluator until the requested page (and everything before it) is found;
 * the merged rows are then sorted and paged. Top-level `and` conjuncts on scalar properties (time,
 * ids, user, app, IP) are also compiled to SQL, so a narrow filter reads only its own rows. A request
 * that needs every match (`$count`, another `$orderby`) may read at most `SCAN_LIMIT` rows per table.
 */
import type { App } from '../app/app.ts';
import type { SqlParam } from '../logs/analytics-store.ts';
import type { SignInEvent, SignInEventType } from '../signin/event.ts';
import { toGraphSignIn } from '../signin/graph-shape.ts';
import { catalogues, compileFilter, matches, pageWindow, parseQueryOptions, type ColumnMap, type FilterExpr } from './odata/index.ts';
import { codecOf, listResponse, notFound, selectOne, type GraphRouter } from './route.ts';
import { BadRequest } from '../errors/graph.ts';

const DEFAULT_TOP = 1000;
const RETENTION_MS = 30 * 86_400_000;
const tables: Record<SignInEventType, string> = { interactiveUser: 'SigninLogs', nonInteractiveUser: 'AADNonInteractiveUserSignInLogs', servicePrincipal: 'AADServicePrincipalSignInLogs' };

type Row = Record<string, unknown>;

/** Graph paths → table expressions, read exactly as `rowToSignIn` reads them. */
const common: ColumnMap = {
  id: { sql: "COALESCE(Id, '')" }, correlationId: { sql: "COALESCE(CorrelationId, '')" }, createdDateTime: { sql: 'TimeGenerated' },
  appId: { sql: "COALESCE(AppId, '')" }, ipAddress: { sql: "COALESCE(IPAddress, '')" },
};
const sqlColumns: Record<SignInEventType, ColumnMap> = {
  interactiveUser: { ...common, userId: { sql: "COALESCE(NULLIF(UserId, ''), '00000000-0000-0000-0000-000000000000')" }, userPrincipalName: { sql: "NULLIF(UserPrincipalName, '')" } },
  nonInteractiveUser: { ...common, userId: { sql: "COALESCE(NULLIF(UserId, ''), '00000000-0000-0000-0000-000000000000')" }, userPrincipalName: { sql: "NULLIF(UserPrincipalName, '')" } },
  servicePrincipal: { ...common, servicePrincipalId: { sql: "COALESCE(ServicePrincipalId, '')" } },
};

/** The top-level `and` conjuncts that read only mapped scalar properties; each narrows the rows the evaluator then checks. */
function pushdown(filter: FilterExpr | undefined, columns: ColumnMap): FilterExpr[] {
  if (!filter) return [];
  if (filter.kind === 'and') return [...pushdown(filter.left, columns), ...pushdown(filter.right, columns)];
  if ((filter.kind === 'compare' || filter.kind === 'in' || filter.kind === 'function') && filter.target.kind === 'property' && filter.target.path in columns) return [filter];
  return [];
}

/** JSON columns come back as text (string-typed tables) or as JSON text from DuckDB's JSON type. */
function parsed<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v !== 'string') return v as T;
  try { return JSON.parse(v) as T; } catch { return fallback; }
}
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const orNull = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** The inverse of `toTableRow`, as far as the tables keep the fields. */
export function rowToSignIn(type: SignInEventType, r: Row): SignInEvent {
  const user = type !== 'servicePrincipal';
  const errorCode = Number(r.ResultType ?? 0) || 0;
  const status = user ? parsed(r.Status, { errorCode, failureReason: str(r.ResultDescription), additionalDetails: null }) : { errorCode, failureReason: errorCode === 0 ? 'Other.' : str(r.ResultDescription), additionalDetails: null };
  return {
    id: str(r.Id), correlationId: str(r.CorrelationId), createdDateTime: new Date(str(r.CreatedDateTime ?? r.TimeGenerated)), tenantId: str(r.TenantId),
    eventType: type, isInteractive: type === 'interactiveUser',
    userId: user ? orNull(r.UserId) : null, userPrincipalName: user ? orNull(r.UserPrincipalName) : null, userDisplayName: user ? orNull(r.UserDisplayName) : null,
    userType: user ? (r.UserType === 'Guest' ? 'guest' : 'member') : null, signInIdentifier: user ? orNull(r.SignInIdentifier) : null,
    appId: str(r.AppId), appDisplayName: str(r.AppDisplayName ?? r.ServicePrincipalName), servicePrincipalId: orNull(r.ServicePrincipalId),
    servicePrincipalName: orNull(r.ServicePrincipalName), resourceId: orNull(r.ResourceIdentity), resourceDisplayName: orNull(r.ResourceDisplayName),
    resourceServicePrincipalId: orNull(r.ResourceServicePrincipalId),
    clientAppUsed: user ? str(r.ClientAppUsed) : 'Mobile Apps and Desktop clients', authenticationProtocol: user ? str(r.AuthenticationProtocol) || 'none' : 'none',
    incomingTokenType: user ? str(r.IncomingTokenType) || 'none' : 'none', originalTransferMethod: 'none',
    clientCredentialType: type === 'servicePrincipal' ? (r.ServicePrincipalCredentialThumbprint ? 'certificate' : 'clientSecret') : 'none',
    servicePrincipalCredentialKeyId: orNull(r.ServicePrincipalCredentialKeyId), servicePrincipalCredentialThumbprint: orNull(r.ServicePrincipalCredentialThumbprint),
    ipAddress: str(r.IPAddress), userAgent: str(r.UserAgent), autonomousSystemNumber: r.AutonomousSystemNumber ? Number(r.AutonomousSystemNumber) : null,
    location: parsed(r.LocationDetails, { city: null, state: null, countryOrRegion: null, geoCoordinates: null }),
    deviceDetail: parsed(r.DeviceDetail, { deviceId: '', displayName: '', operatingSystem: '', browser: '', isCompliant: null, isManaged: null, trustType: '' }),
    status, conditionalAccessStatus: (str(r.ConditionalAccessStatus) || 'notApplied') as SignInEvent['conditionalAccessStatus'],
    appliedConditionalAccessPolicies: parsed(r.AppliedConditionalAccessPolicies ?? r.ConditionalAccessPolicies, []),
    tokenProtectionStatusDetails: parsed(r.TokenProtectionStatusDetails, { signInSessionStatus: 'none', signInSessionStatusCode: null }),
    authenticationRequirement: (str(r.AuthenticationRequirement) || 'singleFactorAuthentication') as SignInEvent['authenticationRequirement'],
    authenticationDetails: parsed(r.AuthenticationDetails, []), authenticationMethodsUsed: parsed(r.AuthenticationMethodsUsed, []),
    authenticationContextClassReferences: parsed(r.AuthenticationContextClassReferences, []),
    riskLevelDuringSignIn: str(r.RiskLevelDuringSignIn) || 'none', riskLevelAggregated: str(r.RiskLevelAggregated) || 'none',
    riskState: str(r.RiskState) || 'none', riskDetail: str(r.RiskDetail) || 'none', riskEventTypes_v2: parsed(r.RiskEventTypes_V2, []),
    sessionId: orNull(r.SessionId), uniqueTokenIdentifier: orNull(r.UniqueTokenIdentifier), processingTimeInMilliseconds: Number(r.ProcessingTimeInMilliseconds ?? 0) || 0,
  };
}

/** Rows read per query while scanning a table newest first. */
export const SCAN_CHUNK = 10_000;
/** Rows one request may scan when every match is needed (`$count`, an `$orderby` other than newest first). */
export const SCAN_LIMIT = 500_000;

export interface ScanOptions {
  id?: string;
  filter?: FilterExpr | undefined;
  /** Stop once this many matching rows were found; undefined: every match in the window. */
  need?: number | undefined;
  chunk?: number;
  limit?: number;
}

/**
 * The table's matching rows within the 30-day window, newest first, read in chunks of `chunk` rows
 * with a keyset cursor (time, id) so no row is skipped or read twice, until `need` matches were found
 * or the window is exhausted. Filters the SQL cannot express are evaluated on each chunk, so a broad
 * filter on a busy table is answered from every row, not just the newest ones.
 */
export async function readTable(app: App, tenantId: string, type: SignInEventType, opts: ScanOptions = {}): Promise<Record<string, unknown>[]> {
  const table = tables[type];
  const toGraph = (result: { columns: { name: string }[]; rows: unknown[][] }): Record<string, unknown>[] => result.rows.map((values) => {
    const row: Row = {};
    result.columns.forEach((col, i) => { row[col.name] = values[i]; });
    return toGraphSignIn(rowToSignIn(type, row));
  });
  if (opts.id !== undefined) {
    return toGraph(await app.logs.query(`SELECT * FROM ${table} WHERE TenantId = ? AND Id = ? LIMIT 1`, [tenantId, opts.id]));
  }
  const chunk = opts.chunk ?? SCAN_CHUNK;
  const limit = opts.limit ?? SCAN_LIMIT;
  const where = ['TenantId = ?', 'TimeGenerated >= ?'];
  const params: SqlParam[] = [tenantId, new Date(Date.now() - RETENTION_MS)];
  for (const f of pushdown(opts.filter, sqlColumns[type])) {
    const compiled = compileFilter(f, sqlColumns[type], 'duckdb');
    where.push(`(${compiled.sql})`);
    params.push(...(compiled.params as SqlParam[]));
  }
  const out: Record<string, unknown>[] = [];
  let cursor: { us: SqlParam; id: string } | undefined;
  for (let scanned = 0; ; ) {
    const page = cursor
      ? await app.logs.query(`SELECT *, epoch_us(TimeGenerated) AS __us FROM ${table} WHERE ${where.join(' AND ')} AND (epoch_us(TimeGenerated) < ? OR (epoch_us(TimeGenerated) = ? AND COALESCE(Id, '') < ?)) ORDER BY TimeGenerated DESC, COALESCE(Id, '') DESC LIMIT ${chunk}`, [...params, cursor.us, cursor.us, cursor.id])
      : await app.logs.query(`SELECT *, epoch_us(TimeGenerated) AS __us FROM ${table} WHERE ${where.join(' AND ')} ORDER BY TimeGenerated DESC, COALESCE(Id, '') DESC LIMIT ${chunk}`, params);
    for (const row of toGraph(page)) if (matches(row, opts.filter)) out.push(row);
    scanned += page.rows.length;
    if (page.rows.length < chunk) return out;
    if (opts.need !== undefined && out.length >= opts.need) return out;
    if (scanned >= limit) {
      throw new BadRequest(`More than ${limit} sign-ins would have to be read to answer this request; narrow it with a filter on createdDateTime, userId, appId or ipAddress.`);
    }
    const last = page.rows[page.rows.length - 1]!;
    const us = last[page.columns.findIndex((c) => c.name === '__us')];
    const id = last[page.columns.findIndex((c) => c.name === 'Id')];
    cursor = { us: typeof us === 'number' || typeof us === 'bigint' ? us : Number(us), id: id === null || id === undefined ? '' : String(id) };
  }
}

export function registerSignIns(r: GraphRouter): void {
  const { app } = r;
  r.route('GET', '/auditLogs/signIns', 'logs.read', async (c) => {
    // Graph lists interactive sign-ins unless the filter asks for other event types.
    const filter = c.url.searchParams.get('$filter') ?? '';
    const types: SignInEventType[] = /signInEventTypes/i.test(filter) ? ['interactiveUser', 'nonInteractiveUser', 'servicePrincipal'] : ['interactiveUser'];
    const q = parseQueryOptions(c.url.search, catalogues.signIn);
    // Newest first is the order every table is scanned in, so the page needs only its own rows and
    // those before it; a count or another order needs every match.
    const newestFirst = !q.count && (!q.orderby?.length || (q.orderby.length === 1 && q.orderby[0]!.path === 'createdDateTime' && q.orderby[0]!.direction === 'desc'));
    const w = pageWindow(q, codecOf(c), DEFAULT_TOP, `${c.caller.tenant.id}|${c.url.pathname}`);
    const need = newestFirst ? w.offset + w.limit : undefined;
    const rows = (await Promise.all(types.map((t) => readTable(app, c.caller.tenant.id, t, { filter: q.filter, need })))).flat();
    rows.sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime)));
    return listResponse(c, catalogues.signIn, rows, { defaultTop: DEFAULT_TOP });
  });

  r.route('GET', '/auditLogs/signIns/:id', 'logs.read', async (c) => {
    const id = c.params.id!;
    if (id.length > 100) notFound(id);
    for (const t of ['interactiveUser', 'nonInteractiveUser', 'servicePrincipal'] as const) {
      const [row] = await readTable(app, c.caller.tenant.id, t, { id });
      if (row) return selectOne(c, catalogues.signIn, row);
    }
    return notFound(id);
  });
}
